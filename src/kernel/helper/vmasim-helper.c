/* vmasim-helper: runs vmasim scenario operations on the live kernel inside one test region. */
/*
 * Usage: vmasim-helper BASE SIZE   (decimal or 0x hex, page aligned; BASE is absolute)
 *
 * Protocol, one line each way:
 *   stdin:  "PROC CMD ARG..."  (PROC = process index; "-" addresses the controller)
 *   stdout: one JSON object per line; {"ok":true,...} or {"ok":false,"error":"..."}.
 * The first stdout line is the hello of p0:
 *   {"ok":true,"pid":P,"page":4096,"zero_page":B,"anon_name":B}
 * Addresses and lengths on the wire are relative to BASE, in bytes, decimal.
 *
 * Commands (reply fields besides "ok"):
 *   mmap ADDR LEN PROT FLAGS        ret err     PROT "rw-"; FLAGS "0" or NAMES joined by '|'
 *   munmap ADDR LEN                 ret err
 *   mprotect ADDR LEN PROT          ret err
 *   mremap OLD OLDLEN NEWLEN FLAGS NEWADDR|-   ret err
 *   madvise ADDR LEN ADVICE         ret err     ADVICE numeric
 *   mlock ADDR LEN / munlock ADDR LEN           ret err
 *   name ADDR LEN NAME|-            ret err
 *   touch ADDR LEN VAL / read ADDR LEN          ret err (ret = pages accessed before a fault,
 *                                               err = SIGSEGV or SIGBUS when one stopped it)
 *   fork                            ret err proc pid   (the controller adds proc and pid)
 *   exit                            ret err     (the worker exits after replying)
 *   vmas WSTART WEND                vmas[]      VMAs overlapping [WSTART, WEND)
 *   pages ADDR LEN                  pages[]
 *   sleep SECONDS                   (testing: a worker that hangs)
 *   controller: "- quit" ends the run, "- ping" answers.
 *
 * Design: the controller (this process) relays each command over a unix socket to the worker
 * process that executes it. Workers are p0 (forked by the controller) and its descendants; a
 * worker that forks passes the controller's end of the child's new socket with SCM_RIGHTS.
 * The controller is a child subreaper: at the end, on SIGTERM or on EOF of stdin it kills every
 * live worker and reaps every descendant. Nothing is ever mapped, unmapped or moved outside
 * [BASE, BASE+SIZE) on a caller's behalf, except where mremap without MREMAP_FIXED lets the
 * kernel choose the destination.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
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
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#endif
#ifndef PR_SET_VMA_ANON_NAME
#define PR_SET_VMA_ANON_NAME 0
#endif
#ifndef PR_SET_CHILD_SUBREAPER
#define PR_SET_CHILD_SUBREAPER 36
#endif

typedef unsigned long long u64;

static u64 g_base, g_size, g_page;

/* ---------- growable string buffer ---------- */

struct sbuf {
  char *p;
  size_t len, cap;
};

static void sb_reserve(struct sbuf *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra + 1) cap *= 2;
  char *p = realloc(b->p, cap);
  if (!p) {
    fprintf(stderr, "vmasim-helper: out of memory\n");
    _exit(3);
  }
  b->p = p;
  b->cap = cap;
}

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  sb_reserve(b, (size_t)n);
  va_start(ap, fmt);
  vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

static void sb_json_string(struct sbuf *b, const char *s) {
  sb_printf(b, "\"");
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') sb_printf(b, "\\%c", c);
    else if (c < 0x20 || c == 0x7f) sb_printf(b, "\\u%04x", c);
    else sb_printf(b, "%c", c);
  }
  sb_printf(b, "\"");
}

/* ---------- I/O ---------- */

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t r = write(fd, p, n);
    if (r < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

/* Sends a reply line on a socket, optionally passing one fd with the first byte. */
static int send_line(int fd, struct sbuf *b, int pass_fd) {
  sb_printf(b, "\n");
  const char *p = b->p;
  size_t n = b->len;
  if (pass_fd >= 0) {
    union {
      char buf[CMSG_SPACE(sizeof(int))];
      struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof u);
    struct iovec iov = {.iov_base = (void *)p, .iov_len = n};
    struct msghdr msg = {0};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = u.buf;
    msg.msg_controllen = sizeof u.buf;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
    ssize_t r;
    do r = sendmsg(fd, &msg, MSG_NOSIGNAL);
    while (r < 0 && errno == EINTR);
    if (r < 0) return -1;
    p += r;
    n -= (size_t)r;
  }
  while (n > 0) {
    ssize_t r = send(fd, p, n, MSG_NOSIGNAL);
    if (r < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

/* A buffered line reader over a pipe or a socket (sockets may carry an SCM_RIGHTS fd). */
struct reader {
  int fd;
  int is_socket;
  char *buf;
  size_t len, cap;
  size_t scanned; /* bytes of buf known to hold no newline */
};

static volatile sig_atomic_t g_stop;

/* Returns a NUL-terminated line (valid until the next call) or NULL on EOF, error or stop. */
static char *read_line(struct reader *r, int *passed_fd) {
  for (;;) {
    char *nl = r->len > r->scanned ? memchr(r->buf + r->scanned, '\n', r->len - r->scanned) : NULL;
    r->scanned = r->len;
    if (nl) {
      r->scanned = 0;
      size_t linelen = (size_t)(nl - r->buf);
      static char *line;
      static size_t linecap;
      if (linelen + 1 > linecap) {
        linecap = linelen + 1;
        line = realloc(line, linecap);
        if (!line) _exit(3);
      }
      memcpy(line, r->buf, linelen);
      line[linelen] = 0;
      memmove(r->buf, nl + 1, r->len - linelen - 1);
      r->len -= linelen + 1;
      return line;
    }
    if (r->len + 4096 > r->cap) {
      r->cap = r->cap ? r->cap * 2 : 8192;
      r->buf = realloc(r->buf, r->cap);
      if (!r->buf) _exit(3);
    }
    ssize_t n;
    if (r->is_socket) {
      union {
        char buf[CMSG_SPACE(sizeof(int) * 4)];
        struct cmsghdr align;
      } u;
      struct iovec iov = {.iov_base = r->buf + r->len, .iov_len = r->cap - r->len};
      struct msghdr msg = {0};
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = u.buf;
      msg.msg_controllen = sizeof u.buf;
      n = recvmsg(r->fd, &msg, MSG_CMSG_CLOEXEC);
      if (n >= 0) {
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
          if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
          size_t nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
          for (size_t i = 0; i < nfds; i++) {
            int got;
            memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            if (passed_fd && *passed_fd < 0) *passed_fd = got;
            else close(got);
          }
        }
      }
    } else {
      n = read(r->fd, r->buf + r->len, r->cap - r->len);
    }
    if (n < 0 && errno == EINTR) {
      if (g_stop) return NULL;
      continue;
    }
    if (n <= 0) return NULL;
    r->len += (size_t)n;
  }
}

/* ---------- parsing helpers ---------- */

static int parse_u64(const char *s, u64 *out) {
  if (!s || !*s || *s == '-') return -1;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 0);
  if (errno || *end) return -1;
  *out = v;
  return 0;
}

static const char *errno_name(int e) {
  switch (e) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EINTR: return "EINTR";
    case EIO: return "EIO";
    case ENXIO: return "ENXIO";
    case E2BIG: return "E2BIG";
    case EBADF: return "EBADF";
    case ECHILD: return "ECHILD";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case ENODEV: return "ENODEV";
    case EINVAL: return "EINVAL";
    case ENFILE: return "ENFILE";
    case EMFILE: return "EMFILE";
    case EFBIG: return "EFBIG";
    case ENOSPC: return "ENOSPC";
    case ERANGE: return "ERANGE";
    case ENOSYS: return "ENOSYS";
    case EOVERFLOW: return "EOVERFLOW";
    case EOPNOTSUPP: return "EOPNOTSUPP";
#ifdef EHWPOISON
    case EHWPOISON: return "EHWPOISON";
#endif
    default: {
      static char buf[32];
      snprintf(buf, sizeof buf, "E%d", e);
      return buf;
    }
  }
}

/* ---------- the worker ---------- */

static sigjmp_buf g_jmp;
static volatile sig_atomic_t g_probing;
volatile unsigned char g_sink; /* read accesses land here */

static volatile sig_atomic_t g_fault_sig; /* the signal that ended the last access_pages */

static void on_fault(int sig) {
  if (g_probing) {
    g_fault_sig = sig;
    siglongjmp(g_jmp, 1);
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

static int in_region(u64 addr, u64 len) { return addr <= g_size && len <= g_size - addr; }

static void reply_error(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply_error(struct sbuf *b, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  b->len = 0;
  sb_printf(b, "{\"ok\":false,\"error\":");
  sb_json_string(b, msg);
  sb_printf(b, "}");
}

static void reply_ret(struct sbuf *b, long long ret, int err) {
  sb_printf(b, "{\"ok\":true,\"ret\":%lld,\"err\":\"%s\"", ret, ret < 0 ? errno_name(err) : "");
}

static int refuse_range(struct sbuf *b, const char *op, u64 addr, u64 len) {
  if (in_region(addr, len)) return 0;
  reply_error(b, "%s: range [0x%llx, 0x%llx+0x%llx) leaves the test region [0, 0x%llx), refused", op,
              addr, addr, len, g_size);
  return 1;
}

static int parse_prot(const char *s, int *prot) {
  if (!s) return -1;
  *prot = PROT_NONE;
  for (; *s; s++) {
    if (*s == 'r') *prot |= PROT_READ;
    else if (*s == 'w') *prot |= PROT_WRITE;
    else if (*s == 'x') *prot |= PROT_EXEC;
    else if (*s != '-') return -1;
  }
  return 0;
}

struct flagname {
  const char *name;
  int value;
};

static const struct flagname MMAP_FLAGS[] = {
    {"PRIVATE", MAP_PRIVATE},     {"SHARED", MAP_SHARED},     {"ANON", MAP_ANONYMOUS},
    {"ANONYMOUS", MAP_ANONYMOUS}, {"FIXED", MAP_FIXED},       {"NOREPLACE", MAP_FIXED_NOREPLACE},
    {"FIXED_NOREPLACE", MAP_FIXED_NOREPLACE},                 {"NORESERVE", MAP_NORESERVE},
    {"POPULATE", MAP_POPULATE},   {"GROWSDOWN", MAP_GROWSDOWN}, {"LOCKED", MAP_LOCKED},
    {"STACK", MAP_STACK},         {NULL, 0}};

static const struct flagname MREMAP_FLAGS[] = {
    {"MAYMOVE", MREMAP_MAYMOVE}, {"FIXED", MREMAP_FIXED}, {"DONTUNMAP", MREMAP_DONTUNMAP}, {NULL, 0}};

static int parse_flags(const char *s, const struct flagname *table, int *out) {
  if (!s) return -1;
  *out = 0;
  if (strcmp(s, "0") == 0) return 0;
  char tmp[256];
  if (strlen(s) >= sizeof tmp) return -1;
  strcpy(tmp, s);
  char *save = NULL;
  for (char *t = strtok_r(tmp, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
    const struct flagname *f = table;
    while (f->name && strcmp(f->name, t) != 0) f++;
    if (!f->name) return -1;
    *out |= f->value;
  }
  return 0;
}

/* Reads a whole /proc file. */
static int slurp(const char *path, struct sbuf *out) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  out->len = 0;
  for (;;) {
    sb_reserve(out, 65536);
    ssize_t n = read(fd, out->p + out->len, out->cap - out->len - 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      close(fd);
      return -1;
    }
    if (n == 0) break;
    out->len += (size_t)n;
  }
  out->p[out->len] = 0;
  close(fd);
  return 0;
}

struct vmainfo {
  u64 start, end, inode;
  char perms[8];
  const char *path;
  u64 rss, anon, shared, swap, thp;
  char flags[256];
};

static void emit_vma(struct sbuf *b, const struct vmainfo *v, int *first) {
  sb_printf(b, "%s{\"start\":%lld,\"end\":%lld,\"perms\":\"%s\",\"inode\":%llu,\"path\":", *first ? "" : ",",
            (long long)(v->start - g_base), (long long)(v->end - g_base), v->perms, v->inode);
  sb_json_string(b, v->path);
  sb_printf(b, ",\"rss_kb\":%llu,\"anon_kb\":%llu,\"shared_kb\":%llu,\"swap_kb\":%llu,\"thp_kb\":%llu,\"vmflags\":",
            v->rss, v->anon, v->shared, v->swap, v->thp);
  sb_json_string(b, v->flags);
  sb_printf(b, "}");
  *first = 0;
}

static u64 field_kb(const char *line, const char *key) {
  size_t k = strlen(key);
  if (strncmp(line, key, k) != 0) return (u64)-1;
  return strtoull(line + k, NULL, 10);
}

/* Appends "vmas":[...] for the VMAs of this process overlapping [wstart, wend) (absolute). */
static int list_vmas(struct sbuf *b, u64 wstart, u64 wend) {
  static struct sbuf smaps;
  if (slurp("/proc/self/smaps", &smaps) < 0) return -1;
  sb_printf(b, "\"vmas\":[");
  int first = 1, have = 0;
  struct vmainfo v;
  memset(&v, 0, sizeof v);
  char *save = NULL;
  for (char *line = strtok_r(smaps.p, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    unsigned long long s, e, off, ino;
    char perms[8];
    int n = 0;
    if (sscanf(line, "%llx-%llx %7s %llx %*x:%*x %llu %n", &s, &e, perms, &off, &ino, &n) == 5 && n > 0) {
      if (have && v.start < wend && v.end > wstart) emit_vma(b, &v, &first);
      memset(&v, 0, sizeof v);
      have = 1;
      v.start = s;
      v.end = e;
      v.inode = ino;
      snprintf(v.perms, sizeof v.perms, "%s", perms);
      char *path = line + n;
      size_t pl = strlen(path);
      while (pl > 0 && (path[pl - 1] == ' ' || path[pl - 1] == '\t')) path[--pl] = 0;
      v.path = path;
      continue;
    }
    u64 x;
    if ((x = field_kb(line, "Rss:")) != (u64)-1) v.rss = x;
    else if ((x = field_kb(line, "Anonymous:")) != (u64)-1) v.anon = x;
    else if ((x = field_kb(line, "Shared_Clean:")) != (u64)-1) v.shared += x;
    else if ((x = field_kb(line, "Shared_Dirty:")) != (u64)-1) v.shared += x;
    else if ((x = field_kb(line, "Swap:")) != (u64)-1) v.swap = x;
    else if ((x = field_kb(line, "AnonHugePages:")) != (u64)-1) v.thp = x;
    else if (strncmp(line, "VmFlags:", 8) == 0) {
      size_t o = 0;
      for (const char *p = line + 8; *p && o + 2 < sizeof v.flags; p++) {
        if (*p == ' ' || *p == '\t') {
          if (o > 0 && v.flags[o - 1] != ' ') v.flags[o++] = ' ';
        } else {
          v.flags[o++] = *p;
        }
      }
      while (o > 0 && v.flags[o - 1] == ' ') o--;
      v.flags[o] = 0;
    }
  }
  if (have && v.start < wend && v.end > wstart) emit_vma(b, &v, &first);
  sb_printf(b, "]");
  return 0;
}

static int g_kflags_fd = -2, g_kcount_fd = -2;

static int pread_u64(int fd, u64 index, u64 *out) {
  if (fd < 0) return -1;
  return pread(fd, out, 8, (off_t)(index * 8)) == 8 ? 0 : -1;
}

static int list_pages(struct sbuf *b, u64 addr, u64 len) {
  int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  if (pm < 0) return -1;
  if (g_kflags_fd == -2) g_kflags_fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
  if (g_kcount_fd == -2) g_kcount_fd = open("/proc/kpagecount", O_RDONLY | O_CLOEXEC);
  u64 first_page = (g_base + addr) / g_page, end = g_base + addr + len;
  u64 last_page = len ? (end + g_page - 1) / g_page : first_page;
  sb_printf(b, "\"pages\":[");
  enum { CHUNK = 4096 };
  static u64 entries[CHUNK];
  for (u64 pg = first_page; pg < last_page; pg++) {
    u64 i = (pg - first_page) % CHUNK;
    if (i == 0) {
      u64 n = last_page - pg < CHUNK ? last_page - pg : CHUNK;
      ssize_t got = pread(pm, entries, n * 8, (off_t)(pg * 8));
      for (u64 j = got > 0 ? (u64)got / 8 : 0; j < n; j++) entries[j] = 0;
    }
    u64 e = entries[i];
    int present = (int)(e >> 63 & 1), swapped = (int)(e >> 62 & 1), excl = (int)(e >> 56 & 1);
    u64 pfn = e & ((1ULL << 55) - 1);
    u64 kf = 0, kc = 0;
    int zero = 0, thp = 0, ksm = 0;
    long long mapcount = present ? 1 : 0;
    if (present && pfn) {
      if (pread_u64(g_kflags_fd, pfn, &kf) == 0) {
        zero = (int)(kf >> 24 & 1);
        thp = (int)(kf >> 22 & 1);
        ksm = (int)(kf >> 21 & 1);
      }
      if (pread_u64(g_kcount_fd, pfn, &kc) == 0) mapcount = (long long)kc;
    }
    sb_printf(b,
              "%s{\"addr\":%lld,\"present\":%s,\"swapped\":%s,\"exclusive\":%s,\"mapcount\":%lld,"
              "\"zero\":%s,\"thp\":%s,\"ksm\":%s}",
              pg == first_page ? "" : ",", (long long)(pg * g_page - g_base), present ? "true" : "false",
              swapped ? "true" : "false", excl ? "true" : "false", mapcount, zero ? "true" : "false",
              thp ? "true" : "false", ksm ? "true" : "false");
  }
  sb_printf(b, "]");
  close(pm);
  return 0;
}

/* Writes (or reads) one byte per page of [addr, addr+len); returns the pages done before a fault. */
static long long access_pages(u64 addr, u64 len, int write, unsigned char val) {
  volatile long long count = 0;
  u64 start = g_base + addr, end = start + len;
  g_fault_sig = 0;
  g_probing = 1;
  if (sigsetjmp(g_jmp, 1) == 0) {
    for (u64 p = start & ~(g_page - 1); p < end; p += g_page) {
      volatile unsigned char *q = (volatile unsigned char *)(uintptr_t)(p < start ? start : p);
      if (write) *q = val;
      else g_sink = *q;
      count = count + 1;
    }
  }
  g_probing = 0;
  return count;
}

/* Probes whether the region is free: maps all of it with MAP_FIXED_NOREPLACE, then unmaps it. */
static const char *prove_region_free(void) {
  void *p = mmap((void *)(uintptr_t)g_base, g_size, PROT_NONE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
  if (p == MAP_FAILED) return errno == EEXIST ? "is not free in the helper process" : strerror(errno);
  if ((u64)(uintptr_t)p != g_base) {
    munmap(p, g_size);
    return "could not be reserved exactly (MAP_FIXED_NOREPLACE needs Linux 4.17+)";
  }
  munmap(p, g_size);
  return NULL;
}

/* zero_page: does a read fault on fresh private anon memory map the zero page (no Anonymous)? */
static void probe_features(int *zero_page, int *anon_name) {
  void *p = mmap((void *)(uintptr_t)g_base, g_page, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  *zero_page = 1;
  *anon_name = 0;
  if (p == MAP_FAILED) return;
  access_pages(0, 1, 0, 0);
  struct sbuf b = {0};
  if (list_vmas(&b, g_base, g_base + g_page) == 0) {
    const char *a = strstr(b.p, "\"anon_kb\":");
    if (a) *zero_page = strtoull(a + 10, NULL, 10) == 0;
  }
  free(b.p);
  *anon_name = prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)p, g_page, "vmasim-probe") == 0;
  munmap(p, g_page);
}

#define ARG(i) (argc > (i) ? argv[i] : NULL)
#define FAIL(...)                  \
  do {                             \
    reply_error(b, __VA_ARGS__);   \
    return;                        \
  } while (0)
#define RET(r, e)                  \
  do {                             \
    reply_ret(b, (r), (e));        \
    return;                        \
  } while (0)

/* Executes one command; sets *pass_fd when a reply carries a socket, *exit_after for exit. */
static void dispatch(int argc, char **argv, struct sbuf *b, int *fd, int *pass_fd, int *exit_after) {
  const char *cmd = argv[0];
  u64 a = 0, l = 0, x = 0;
  int prot = 0, flags = 0;
  b->len = 0;
  if (!strcmp(cmd, "mmap")) {
    if (parse_u64(ARG(1), &a) || parse_u64(ARG(2), &l) || parse_prot(ARG(3), &prot) ||
        parse_flags(ARG(4), MMAP_FLAGS, &flags))
      FAIL("mmap: bad arguments, expected ADDR LEN PROT FLAGS");
    if (refuse_range(b, "mmap", a, l)) return;
    flags |= MAP_ANONYMOUS;
    if (!(flags & MAP_SHARED)) flags |= MAP_PRIVATE;
    if (!(flags & MAP_FIXED)) flags |= MAP_FIXED_NOREPLACE;
    void *r = mmap((void *)(uintptr_t)(g_base + a), l, prot, flags, -1, 0);
    int e = errno;
    RET(r == MAP_FAILED ? -1 : (long long)((u64)(uintptr_t)r - g_base), e);
  }
  if (!strcmp(cmd, "munmap") || !strcmp(cmd, "mlock") || !strcmp(cmd, "munlock")) {
    if (parse_u64(ARG(1), &a) || parse_u64(ARG(2), &l))
      FAIL("%s: bad arguments, expected ADDR LEN", cmd);
    if (refuse_range(b, cmd, a, l)) return;
    void *p = (void *)(uintptr_t)(g_base + a);
    int r = !strcmp(cmd, "munmap") ? munmap(p, l) : !strcmp(cmd, "mlock") ? mlock(p, l) : munlock(p, l);
    RET(r, errno);
  }
  if (!strcmp(cmd, "mprotect")) {
    if (parse_u64(ARG(1), &a) || parse_u64(ARG(2), &l) || parse_prot(ARG(3), &prot))
      FAIL("mprotect: bad arguments, expected ADDR LEN PROT");
    if (refuse_range(b, cmd, a, l)) return;
    int r = mprotect((void *)(uintptr_t)(g_base + a), l, prot);
    RET(r, errno);
  }
  if (!strcmp(cmd, "madvise")) {
    if (parse_u64(ARG(1), &a) || parse_u64(ARG(2), &l) || parse_u64(ARG(3), &x) || x > 0x7fffffff)
      FAIL("madvise: bad arguments, expected ADDR LEN ADVICE");
    if (refuse_range(b, cmd, a, l)) return;
    int r = madvise((void *)(uintptr_t)(g_base + a), l, (int)x);
    RET(r, errno);
  }
  if (!strcmp(cmd, "name")) {
    if (parse_u64(ARG(1), &a) || parse_u64(ARG(2), &l) || !ARG(3))
      FAIL("name: bad arguments, expected ADDR LEN NAME|-");
    if (refuse_range(b, cmd, a, l)) return;
    const char *name = strcmp(argv[3], "-") ? argv[3] : NULL;
    int r = prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)(g_base + a), (unsigned long)l, name);
    RET(r, errno);
  }
  if (!strcmp(cmd, "mremap")) {
    u64 oldlen = 0, newlen = 0, na = 0;
    int has_new = ARG(5) && strcmp(argv[5], "-") != 0;
    if (parse_u64(ARG(1), &a) || parse_u64(ARG(2), &oldlen) || parse_u64(ARG(3), &newlen) ||
        parse_flags(ARG(4), MREMAP_FLAGS, &flags) || (has_new && parse_u64(argv[5], &na)))
      FAIL("mremap: bad arguments, expected OLD OLDLEN NEWLEN FLAGS NEWADDR|-");
    if (refuse_range(b, cmd, a, oldlen)) return;
    if (flags & MREMAP_FIXED) {
      if (!has_new) FAIL("mremap: FIXED needs NEWADDR, refused");
      if (refuse_range(b, "mremap (new range)", na, newlen)) return;
    } else if (!(flags & MREMAP_MAYMOVE)) {
      if (refuse_range(b, "mremap (grown range)", a, newlen > oldlen ? newlen : oldlen)) return;
    }
    long r = syscall(SYS_mremap, (unsigned long)(g_base + a), (unsigned long)oldlen, (unsigned long)newlen,
                     (unsigned long)flags, has_new ? (unsigned long)(g_base + na) : 0UL);
    int e = errno;
    RET(r == -1 ? -1 : (long long)((u64)r - g_base), e);
  }
  if (!strcmp(cmd, "touch") || !strcmp(cmd, "read")) {
    int write = !strcmp(cmd, "touch");
    if (parse_u64(ARG(1), &a) || parse_u64(ARG(2), &l) || (write && (parse_u64(ARG(3), &x) || x > 255)))
      FAIL("%s: bad arguments, expected ADDR LEN%s", cmd, write ? " VAL" : "");
    if (refuse_range(b, cmd, a, l)) return;
    long long done = access_pages(a, l, write, (unsigned char)x);
    sb_printf(b, "{\"ok\":true,\"ret\":%lld,\"err\":\"%s\"", done,
              g_fault_sig == SIGSEGV ? "SIGSEGV" : g_fault_sig == SIGBUS ? "SIGBUS" : "");
    return;
  }
  if (!strcmp(cmd, "vmas")) {
    u64 ws = 0, we = 0;
    if (parse_u64(ARG(1), &ws) || parse_u64(ARG(2), &we))
      FAIL("vmas: bad arguments, expected WSTART WEND");
    sb_printf(b, "{\"ok\":true,");
    if (list_vmas(b, g_base + ws, we >= UINT64_MAX - g_base ? UINT64_MAX : g_base + we) < 0)
      FAIL("vmas: cannot read /proc/self/smaps: %s", strerror(errno));
    return;
  }
  if (!strcmp(cmd, "pages")) {
    if (parse_u64(ARG(1), &a) || parse_u64(ARG(2), &l))
      FAIL("pages: bad arguments, expected ADDR LEN");
    if (refuse_range(b, cmd, a, l)) return;
    sb_printf(b, "{\"ok\":true,");
    if (list_pages(b, a, l) < 0)
      FAIL("pages: cannot read /proc/self/pagemap: %s", strerror(errno));
    return;
  }
  if (!strcmp(cmd, "fork")) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) RET(-1, errno);
    pid_t pid = fork();
    if (pid < 0) {
      int e = errno;
      close(sv[0]);
      close(sv[1]);
      RET(-1, e);
    }
    if (pid == 0) {
      close(*fd);
      close(sv[0]);
      *fd = sv[1];
      sb_printf(b, "{\"ok\":true,\"pid\":%d", (int)getpid());
      return;
    }
    close(sv[1]);
    *pass_fd = sv[0];
    RET(0, 0);
  }
  if (!strcmp(cmd, "exit")) {
    *exit_after = 1;
    RET(0, 0);
  }
  if (!strcmp(cmd, "sleep")) {
    if (parse_u64(ARG(1), &x)) FAIL("sleep: bad arguments, expected SECONDS");
    sleep((unsigned)x);
    RET(0, 0);
  }
  reply_error(b, "%s: unknown command, see the protocol in vmasim-helper.c", cmd);
}

static void worker_main(int fd) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_fault;
  sa.sa_flags = SA_NODEFER;
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
  signal(SIGCHLD, SIG_IGN); /* children of workers are reaped automatically */
  signal(SIGTERM, SIG_DFL);
  signal(SIGINT, SIG_DFL);
  signal(SIGHUP, SIG_DFL);
  int devnull = open("/dev/null", O_RDWR);
  if (devnull >= 0) {
    dup2(devnull, 0);
    dup2(devnull, 1);
    if (devnull > 2) close(devnull);
  }
  struct sbuf b = {0};
  const char *bad = prove_region_free();
  if (bad) {
    reply_error(&b, "start: the test region [0x%llx, 0x%llx) %s, choose another --base", g_base, g_base + g_size,
                bad);
    send_line(fd, &b, -1);
    _exit(1);
  }
  int zero_page, anon_name;
  probe_features(&zero_page, &anon_name);
  b.len = 0;
  sb_printf(&b, "{\"ok\":true,\"pid\":%d,\"page\":%llu,\"zero_page\":%s,\"anon_name\":%s}", (int)getpid(), g_page,
            zero_page ? "true" : "false", anon_name ? "true" : "false");
  if (send_line(fd, &b, -1) < 0) _exit(1);
  struct reader r = {.fd = fd, .is_socket = 1};
  for (;;) {
    char *line = read_line(&r, NULL);
    if (!line) _exit(0);
    char *argv[8];
    int argc = 0;
    char *save = NULL;
    for (char *t = strtok_r(line, " \t", &save); t && argc < 8; t = strtok_r(NULL, " \t", &save)) argv[argc++] = t;
    if (argc == 0) continue;
    int pass_fd = -1, exit_after = 0, oldfd = fd;
    dispatch(argc, argv, &b, &fd, &pass_fd, &exit_after);
    if (fd != oldfd) { /* forked child: greet the controller on the new socket */
      r.fd = fd;
      r.len = r.scanned = 0;
      sb_printf(&b, "}");
      if (send_line(fd, &b, -1) < 0) _exit(1);
      continue;
    }
    if (b.len > 0 && b.p[0] == '{' && strncmp(b.p, "{\"ok\":false", 11) != 0 && b.p[b.len - 1] != '}') sb_printf(&b, "}");
    int rc = send_line(fd, &b, pass_fd);
    if (pass_fd >= 0) close(pass_fd);
    if (rc < 0 || exit_after) _exit(0);
  }
}

/* ---------- the controller ---------- */

struct proc {
  pid_t pid;
  int fd;
  int pidfd;
  int alive;
  struct reader r;
};

static struct proc *g_procs;
static int g_nprocs;

static int add_proc(int fd, pid_t pid) {
  struct proc *p = realloc(g_procs, sizeof(struct proc) * (size_t)(g_nprocs + 1));
  if (!p) _exit(3);
  g_procs = p;
  struct proc *n = &g_procs[g_nprocs];
  memset(n, 0, sizeof *n);
  n->fd = fd;
  n->pid = pid;
  n->alive = 1;
  n->r.fd = fd;
  n->r.is_socket = 1;
#ifdef SYS_pidfd_open
  n->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
#else
  n->pidfd = -1;
#endif
  return g_nprocs++;
}

static void kill_proc(struct proc *p) {
  if (!p->alive) return;
#ifdef SYS_pidfd_send_signal
  if (p->pidfd >= 0) syscall(SYS_pidfd_send_signal, p->pidfd, SIGKILL, NULL, 0);
  else
#endif
    kill(p->pid, SIGKILL);
}

/*
 * Waits until an exiting worker's address space is torn down: exit_mm runs before the
 * task turns zombie, so a 'Z' state (or the task being gone) means every page it mapped
 * is unmapped and the other processes' mapcounts are final.
 */
static void wait_mm_gone(pid_t pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  for (int i = 0; i < 50000; i++) {
    FILE *f = fopen(path, "r");
    if (!f) return;
    char buf[512];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    const char *rp = strrchr(buf, ')');
    if (!rp || rp[1] == 0 || rp[2] == 'Z' || rp[2] == 'X') return;
    struct timespec ts = {0, 100000};
    nanosleep(&ts, NULL);
  }
}

static void mark_dead(struct proc *p) {
  p->alive = 0;
  if (p->fd >= 0) close(p->fd);
  if (p->pidfd >= 0) close(p->pidfd);
  p->fd = p->pidfd = -1;
}

static void on_stop(int sig) {
  (void)sig;
  g_stop = 1;
}

static void out_line(struct sbuf *b) {
  sb_printf(b, "\n");
  if (write_all(1, b->p, b->len) < 0) g_stop = 1;
}

static void cleanup_and_exit(int code) {
  for (int i = 0; i < g_nprocs; i++) kill_proc(&g_procs[i]);
  for (int i = 0; i < g_nprocs; i++)
    if (g_procs[i].alive) mark_dead(&g_procs[i]);
  /* We are a child subreaper: every descendant ends up here. Wait until none is left. */
  for (;;) {
    pid_t w = waitpid(-1, NULL, 0);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) break;
  }
  exit(code);
}

/*
 * Pins the helper, and so its workers (fork inherits the affinity), to the CPU it runs on.
 * The kernel gathers new and lazily freed folios in per-CPU batches before they reach the
 * LRU lists, and MADV_PAGEOUT drains only the current CPU's batches (lru_add_drain): a
 * worker that had moved to another CPU would find some of its pages off the LRU, and left
 * alone, depending on the scheduler.
 */
static void pin_to_one_cpu(void) {
  int cpu = sched_getcpu();
  if (cpu < 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof set, &set);
}

int main(int argc, char **argv) {
  if (argc != 3 || parse_u64(argv[1], &g_base) || parse_u64(argv[2], &g_size)) {
    fprintf(stderr, "usage: vmasim-helper BASE SIZE (absolute base and size in bytes, page aligned)\n");
    return 2;
  }
  long ps = sysconf(_SC_PAGESIZE);
  g_page = ps > 0 ? (u64)ps : 4096;
  if (g_size == 0 || g_base % g_page || g_size % g_page || g_base + g_size < g_base) {
    fprintf(stderr, "vmasim-helper: BASE and SIZE must be page aligned, SIZE > 0, and not wrap\n");
    return 2;
  }
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop; /* no SA_RESTART: a blocked read returns EINTR */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  pin_to_one_cpu();

  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
    perror("vmasim-helper: socketpair");
    return 1;
  }
  pid_t controller = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    perror("vmasim-helper: fork");
    return 1;
  }
  if (pid == 0) {
    close(sv[0]);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != controller) _exit(1);
    worker_main(sv[1]);
    _exit(0);
  }
  close(sv[1]);
  add_proc(sv[0], pid);

  struct sbuf out = {0};
  char *hello = read_line(&g_procs[0].r, NULL);
  if (!hello) {
    sb_printf(&out, "{\"ok\":false,\"error\":\"start: the first worker died before greeting\"}");
    out_line(&out);
    cleanup_and_exit(1);
  }
  out.len = 0;
  sb_printf(&out, "%s", hello);
  out_line(&out);
  if (strncmp(hello, "{\"ok\":true", 10) != 0) cleanup_and_exit(1);

  struct reader in = {.fd = 0, .is_socket = 0};
  while (!g_stop) {
    char *line = read_line(&in, NULL);
    if (!line) break;
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
    out.len = 0;
    char *sp = strchr(line, ' ');
    char *rest = sp ? sp + 1 : (char *)"";
    if (sp) *sp = 0;
    char cmd[32];
    if (sscanf(rest, "%31s", cmd) != 1) cmd[0] = 0;
    if (!strcmp(line, "-")) {
      if (!strcmp(cmd, "quit")) break;
      sb_printf(&out, !strcmp(cmd, "ping") ? "{\"ok\":true}" : "{\"ok\":false,\"error\":\"unknown controller command\"}");
      out_line(&out);
      continue;
    }
    u64 idx;
    if (parse_u64(line, &idx) || idx >= (u64)g_nprocs || !g_procs[idx].alive) {
      sb_printf(&out, "{\"ok\":false,\"error\":\"p%s: no such live process\"}", line);
      out_line(&out);
      continue;
    }
    struct proc *p = &g_procs[idx];
    struct sbuf req = {0};
    sb_printf(&req, "%s", rest);
    int rc = send_line(p->fd, &req, -1);
    free(req.p);
    int passed = -1;
    char *resp = rc < 0 ? NULL : read_line(&p->r, &passed);
    if (!resp) {
      if (g_stop) break;
      mark_dead(p);
      sb_printf(&out, "{\"ok\":false,\"error\":\"p%d died while executing '%s'\"}", (int)idx, cmd);
      out_line(&out);
      continue;
    }
    sb_printf(&out, "%s", resp);
    if (!strcmp(cmd, "fork") && passed >= 0) {
      struct reader cr = {.fd = passed, .is_socket = 1};
      char *ch = read_line(&cr, NULL);
      const char *pp = ch ? strstr(ch, "\"pid\":") : NULL;
      if (!pp) {
        close(passed);
        free(cr.buf);
        if (g_stop) break;
        out.len = 0;
        sb_printf(&out, "{\"ok\":false,\"error\":\"fork: the child of p%d did not greet\"}", (int)idx);
      } else {
        int k = add_proc(passed, (pid_t)atoi(pp + 6));
        free(cr.buf);
        if (out.len > 0 && out.p[out.len - 1] == '}') out.len--;
        sb_printf(&out, ",\"proc\":%d,\"pid\":%d}", k, (int)g_procs[k].pid);
      }
    } else if (passed >= 0) {
      close(passed);
    }
    if (!strcmp(cmd, "exit") && strncmp(out.p, "{\"ok\":true", 10) == 0) {
      wait_mm_gone(g_procs[idx].pid);
      mark_dead(&g_procs[idx]);
    }
    out_line(&out);
  }
  cleanup_and_exit(0);
}
