// vmasim benchmark, kernel side: the workloads of src/bench/model.ts run against the real
// kernel. Compiled at bench time by src/bench/kernel.ts (through the kernel engine's
// compileHelper) and run once per workload; prints one line "NAME<TAB>RATE" per workload on
// stdout (RATE in operations per second, see src/bench/workloads.ts for what one operation
// is), progress on stderr.
//
// Usage: vmasim-bench [--quick] [--only NAME]...
//        vmasim-bench [--quick] --scale N [--only NAME]...
//
// --scale N runs the scale section's operations (src/bench/scale.ts) instead, in one mm of
// N VMAs of 16 resident pages separated by 16-page gaps: "scale_OP<TAB>RATE" per operation.
//
// Every mapping is placed with MAP_FIXED_NOREPLACE in a region proved free at start-up
// (BASE .. BASE + SPAN), so nothing of the process is ever overwritten. Timing uses
// CPU time (see cpu()); each workload is warmed up, then measured in 3 repetitions and the
// median rate is printed. Large anonymous regions get MADV_NOHUGEPAGE, so that faults are
// per 4 KiB page as in the model (which has no THP).

#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MREMAP_MAYMOVE
#define MREMAP_MAYMOVE 1
#endif
#ifndef MREMAP_FIXED
#define MREMAP_FIXED 2
#endif

#define PAGE 4096UL
#define BASE 0x200000000000UL
/** One 8 GiB slot per workload; SLOTS of them are proved free. */
#define SLOT (8UL << 30)
#define SLOTS 16UL
#define SPAN (SLOT * SLOTS)
#define GIB (1UL << 30)
#define FAULT_PAGES 4096UL

static double warm_s = 0.2;
static double rep_s = 0.5;
static const char *only[32];
static int nonly = 0;

/* wall-clock seconds: bounds the length of the warm-up and the repetitions */
static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds (user + system) of this process and of its waited-for children (the fork
 * workload's exits): what the measured parts are timed with, so that other load on the
 * machine slows the figures less than wall time would */
static double cpu(void) {
  struct timespec ts;
  struct rusage ru;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  getrusage(RUSAGE_CHILDREN, &ru);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9 + (double)ru.ru_utime.tv_sec +
         (double)ru.ru_stime.tv_sec + ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) * 1e-6;
}

static void die(const char *what) {
  fprintf(stderr, "kernel bench: %s: %s\n", what, strerror(errno));
  exit(2);
}

static void *map_at(unsigned long addr, unsigned long len) {
  void *p = mmap((void *)addr, len, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (p == MAP_FAILED) die("mmap");
  if ((unsigned long)p != addr) {
    errno = EEXIST; /* an old kernel ignoring MAP_FIXED_NOREPLACE */
    die("mmap landed elsewhere");
  }
  return p;
}

static void unmap(unsigned long addr, unsigned long len) {
  if (munmap((void *)addr, len) != 0) die("munmap");
}

static void touch(unsigned long addr, unsigned long len) {
  for (unsigned long a = addr; a < addr + len; a += PAGE) *(volatile char *)a = 1;
}

static unsigned long slot(int i) { return BASE + (unsigned long)i * SLOT; }

/* A workload: round(ctx, n) performs n iterations and returns the seconds they took
 * (setup and teardown outside the timed part are excluded); one iteration counts as
 * `ops_per_iter` operations. */
typedef double (*round_fn)(void *ctx, long n);

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double measure(round_fn round, void *ctx, double ops_per_iter) {
  /* calibrate: grow n until one round takes ≥ 5 ms (or one iteration is already slower) */
  long n = 1;
  double t0 = now();
  for (;;) {
    double t = round(ctx, n);
    if (t >= 0.005 || n >= (1L << 24)) break;
    n *= 2;
  }
  while (now() - t0 < warm_s) round(ctx, n);
  double rates[3];
  for (int r = 0; r < 3; r++) {
    double total = 0;
    long iters = 0;
    double wall0 = now();
    while (total < rep_s && now() - wall0 < 4 * rep_s + 1) {
      total += round(ctx, n);
      iters += n;
    }
    rates[r] = (double)iters * ops_per_iter / total;
  }
  qsort(rates, 3, sizeof rates[0], cmp_double);
  return rates[1];
}

/* --only: the name is one of them (every workload without --only) */
static int wanted(const char *name) {
  if (nonly == 0) return 1;
  for (int i = 0; i < nonly; i++)
    if (strcmp(name, only[i]) == 0) return 1;
  return 0;
}

static void report(const char *name, double rate) {
  printf("%s\t%.6g\n", name, rate);
  fflush(stdout);
}

/* ---- mmap + munmap ------------------------------------------------------------------ */

struct range {
  unsigned long addr, len;
};

static double round_mmap_munmap(void *ctx, long n) {
  struct range *r = ctx;
  double t = cpu();
  for (long i = 0; i < n; i++) {
    map_at(r->addr, r->len);
    unmap(r->addr, r->len);
  }
  return cpu() - t;
}

static void bench_mmap_munmap(const char *name, int s, unsigned long pages) {
  if (!wanted(name)) return;
  fprintf(stderr, "kernel: %s\n", name);
  struct range r = {slot(s), pages * PAGE};
  report(name, measure(round_mmap_munmap, &r, 1));
}

/* ---- mprotect split + merge ---------------------------------------------------------- */

static double round_mprotect(void *ctx, long n) {
  struct range *r = ctx; /* the middle page */
  double t = cpu();
  for (long i = 0; i < n; i++) {
    if (mprotect((void *)r->addr, r->len, PROT_READ) != 0) die("mprotect");
    if (mprotect((void *)r->addr, r->len, PROT_READ | PROT_WRITE) != 0) die("mprotect");
  }
  return cpu() - t;
}

static void bench_mprotect(const char *name, int s, unsigned long pages, int faulted) {
  if (!wanted(name)) return;
  fprintf(stderr, "kernel: %s\n", name);
  unsigned long addr = slot(s), len = pages * PAGE;
  map_at(addr, len);
  if (faulted) touch(addr, len);
  struct range mid = {addr + (pages / 2) * PAGE, PAGE};
  report(name, measure(round_mprotect, &mid, 1));
  unmap(addr, len);
}

/* ---- mremap move --------------------------------------------------------------------- */

struct move {
  unsigned long a, b, len;
  int at_b;
};

static double round_mremap(void *ctx, long n) {
  struct move *m = ctx;
  double t = cpu();
  for (long i = 0; i < n; i++) {
    unsigned long from = m->at_b ? m->b : m->a, to = m->at_b ? m->a : m->b;
    void *p = mremap((void *)from, m->len, m->len, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)to);
    if (p == MAP_FAILED) die("mremap");
    m->at_b = !m->at_b;
  }
  return cpu() - t;
}

static void bench_mremap(const char *name, int s, unsigned long pages, int faulted) {
  if (!wanted(name)) return;
  fprintf(stderr, "kernel: %s\n", name);
  struct move m = {slot(s), slot(s) + SLOT / 2, pages * PAGE, 0};
  /* the destination must be free for the MAP_FIXED_NOREPLACE proof to hold: it is inside
   * this workload's slot, which nothing else uses */
  map_at(m.a, m.len);
  if (faulted) touch(m.a, m.len);
  report(name, measure(round_mremap, &m, 1));
  unmap(m.at_b ? m.b : m.a, m.len);
}

/* ---- first-touch faults -------------------------------------------------------------- */

struct fault {
  unsigned long addr;
  int write;
};

static double round_fault(void *ctx, long n) {
  struct fault *f = ctx;
  unsigned long len = FAULT_PAGES * PAGE;
  double total = 0;
  for (long i = 0; i < n; i++) {
    map_at(f->addr, len);
    if (madvise((void *)f->addr, len, MADV_NOHUGEPAGE) != 0) die("madvise");
    double t = cpu();
    if (f->write) {
      for (unsigned long a = f->addr; a < f->addr + len; a += PAGE) *(volatile char *)a = 1;
    } else {
      for (unsigned long a = f->addr; a < f->addr + len; a += PAGE) (void)*(volatile char *)a;
    }
    total += cpu() - t;
    unmap(f->addr, len);
  }
  return total;
}

static void bench_fault(const char *name, int s, int write) {
  if (!wanted(name)) return;
  fprintf(stderr, "kernel: %s\n", name);
  struct fault f = {slot(s), write};
  report(name, measure(round_fault, &f, (double)FAULT_PAGES));
}

/* ---- fork + exit --------------------------------------------------------------------- */

static double round_fork(void *ctx, long n) {
  (void)ctx;
  double t = cpu();
  for (long i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) _exit(0);
    int status;
    if (waitpid(pid, &status, 0) != pid) die("waitpid");
  }
  return cpu() - t;
}

static void bench_fork(const char *name, int s, unsigned long nvmas) {
  if (!wanted(name)) return;
  fprintf(stderr, "kernel: %s\n", name);
  unsigned long base = slot(s);
  /* 1-page VMAs one page apart: the gaps keep them from merging */
  for (unsigned long i = 0; i < nvmas; i++) {
    map_at(base + i * 2 * PAGE, PAGE);
    touch(base + i * 2 * PAGE, PAGE);
  }
  report(name, measure(round_fork, NULL, 1));
  for (unsigned long i = 0; i < nvmas; i++) unmap(base + i * 2 * PAGE, PAGE);
}

/* ---- scale: the operations of src/bench/scale.ts, on N VMAs spread over the mm ------- */

#define SCALE_LEN (16UL * PAGE)
/* the model's STRIDE: successive operations land far apart */
#define SCALE_STRIDE 7919L
/* slots 13 to 15 (24 GiB): room for 196,608 VMAs and their gaps */
#define SCALE_SLOT 13
#define SCALE_SLOTS 3UL

static const char *const scale_names[] = {"scale_mmap_munmap", "scale_mprotect_split_merge",
                                          "scale_mremap_move", "scale_dontneed_write_fault"};
/* operations per iteration: the mremap round trip is two moves */
static const double scale_ops_per_iter[] = {1, 1, 2, 1};

struct scale {
  unsigned long base;
  long n, i;
  int op;
};

/* VMA i's start: VMAs and gaps alternate, so no two VMAs are adjacent */
static unsigned long scale_vma(const struct scale *s, long i) {
  return s->base + (unsigned long)i * 2 * SCALE_LEN;
}

static double round_scale(void *ctx, long n) {
  struct scale *s = ctx;
  double t = cpu();
  for (long k = 0; k < n; k++) {
    unsigned long a = scale_vma(s, s->i);
    switch (s->op) {
    case 0: /* half the gap after VMA i, adjacent to neither neighbour */
      map_at(a + SCALE_LEN + SCALE_LEN / 4, SCALE_LEN / 2);
      unmap(a + SCALE_LEN + SCALE_LEN / 4, SCALE_LEN / 2);
      break;
    case 1: /* the middle page read-only and back: a split, then a merge */
      if (mprotect((void *)(a + SCALE_LEN / 2), PAGE, PROT_READ) != 0) die("mprotect");
      if (mprotect((void *)(a + SCALE_LEN / 2), PAGE, PROT_READ | PROT_WRITE) != 0)
        die("mprotect");
      break;
    case 2: /* into the gap after it and back, 16 resident pages each way */
      if (mremap((void *)a, SCALE_LEN, SCALE_LEN, MREMAP_MAYMOVE | MREMAP_FIXED,
                 (void *)(a + SCALE_LEN)) == MAP_FAILED)
        die("mremap");
      if (mremap((void *)(a + SCALE_LEN), SCALE_LEN, SCALE_LEN, MREMAP_MAYMOVE | MREMAP_FIXED,
                 (void *)a) == MAP_FAILED)
        die("mremap");
      break;
    default: /* one page dropped, then written again */
      if (madvise((void *)(a + PAGE), PAGE, MADV_DONTNEED) != 0) die("madvise");
      *(volatile char *)(a + PAGE) = 1;
    }
    s->i = (s->i + SCALE_STRIDE) % s->n;
  }
  return cpu() - t;
}

static void bench_scale(long n) {
  if (n < 1 || (unsigned long)n * 2 * SCALE_LEN > SCALE_SLOTS * SLOT) {
    fprintf(stderr, "kernel bench: --scale %ld: between 1 and %lu VMAs\n", n,
            SCALE_SLOTS * SLOT / (2 * SCALE_LEN));
    exit(2);
  }
  struct scale s = {slot(SCALE_SLOT), n, 0, 0};
  fprintf(stderr, "kernel: scale: building %ld VMAs\n", n);
  for (long i = 0; i < n; i++) {
    map_at(scale_vma(&s, i), SCALE_LEN);
    touch(scale_vma(&s, i), SCALE_LEN);
  }
  for (int op = 0; op < 4; op++) {
    if (!wanted(scale_names[op])) continue;
    fprintf(stderr, "kernel: scale: %ld VMAs: %s\n", n, scale_names[op] + strlen("scale_"));
    s.op = op;
    s.i = 0;
    report(scale_names[op], measure(round_scale, &s, scale_ops_per_iter[op]));
  }
}

int main(int argc, char **argv) {
  long scale = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--quick") == 0) {
      warm_s = 0.05;
      rep_s = 0.12;
    } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc && nonly < 32) {
      only[nonly++] = argv[++i];
    } else if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc) {
      scale = strtol(argv[++i], NULL, 10);
    } else {
      fprintf(stderr, "usage: %s [--quick] [--scale N] [--only NAME]...\n", argv[0]);
      return 2;
    }
  }
  /* prove BASE .. BASE+SPAN free: one reservation with MAP_FIXED_NOREPLACE, then release */
  void *probe = mmap((void *)BASE, SPAN, PROT_NONE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
  if (probe == MAP_FAILED || (unsigned long)probe != BASE) {
    fprintf(stderr, "kernel bench: the region 0x%lx-0x%lx is not free\n", BASE, BASE + SPAN);
    return 2;
  }
  unmap(BASE, SPAN);

  if (scale != 0) {
    bench_scale(scale);
    return 0;
  }
  bench_mmap_munmap("mmap_munmap_16p", 0, 16);
  bench_mprotect("mprotect_16p_unfaulted", 1, 16, 0);
  bench_mprotect("mprotect_16p_faulted", 2, 16, 1);
  bench_mremap("mremap_16p_faulted", 3, 16, 1);
  bench_mremap("mremap_16p_unfaulted", 4, 16, 0);
  bench_fault("fault_write", 5, 1);
  bench_fault("fault_read", 6, 0);
  bench_fork("fork_100", 7, 100);
  bench_fork("fork_1000", 8, 1000);
  bench_fork("fork_10000", 9, 10000);
  bench_mprotect("mprotect_1g_unfaulted", 10, GIB / PAGE, 0);
  bench_mremap("mremap_1g_unfaulted", 11, GIB / PAGE, 0);
  bench_mmap_munmap("mmap_munmap_1g", 12, GIB / PAGE);
  return 0;
}
