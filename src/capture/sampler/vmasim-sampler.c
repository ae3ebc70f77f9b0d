// vmasim-sampler: runs a command and records its ground truth for `vmasim capture`.
//
//   vmasim-sampler OUT INTERVAL_MS MAX_SAMPLES PTRACE -- CMD ARGS...
//
// With PTRACE=1 it traces the command's task tree (fork, vfork, clone, exec and exit
// events only, no syscall stops), writes each new task's relation to its parent, the
// layout every exec produced (read at the exec stop, before the program's first
// instruction), and samples every process at its exit stop (before the mm is torn down).
// With PTRACE=0 (when strace is the tracer) it walks /proc/PID/task/TID/children instead.
// Every INTERVAL_MS it samples /proc/PID/smaps of every process. Each sample is bracketed
// by two failing munmap(MARKER, 0) calls that the tracer records: they place the sample on
// the trace's own clock. Output format: see src/replay/truth.ts.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MARKER_BASE 0x5a5a00000000UL
#define MAX_TASKS 65536

static FILE *out;
static long next_sample;
static long max_samples;
static pid_t tasks[MAX_TASKS]; // live tids we know (ptrace mode) or found (walk mode)
static pid_t tgids[MAX_TASKS];
static int ntasks;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void marker(long n) { syscall(SYS_munmap, MARKER_BASE + (unsigned long)n * 4096, 0); }

static pid_t tgid_of(pid_t tid) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", tid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  pid_t tgid = -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "Tgid: %d", &tgid) == 1) break;
  fclose(f);
  return tgid;
}

static void add_task(pid_t tid) {
  for (int i = 0; i < ntasks; i++)
    if (tasks[i] == tid) return;
  if (ntasks < MAX_TASKS) {
    tasks[ntasks] = tid;
    tgids[ntasks++] = tgid_of(tid);
  }
}

static void remove_task(pid_t tid) {
  for (int i = 0; i < ntasks; i++)
    if (tasks[i] == tid) {
      tasks[i] = tasks[--ntasks];
      tgids[i] = tgids[ntasks];
      return;
    }
}

// One VMA per line: START-END PERMS OFFSET ANON_KB VMFLAGS NAME, from /proc/PID/smaps.
static int write_smaps(pid_t pid) {
  char path[64], line[4096], head[4096] = "", flags[512] = "-";
  long anon = 0;
  snprintf(path, sizeof path, "/proc/%d/smaps", pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  while (fgets(line, sizeof line, f)) {
    unsigned long s, e, off;
    char perms[8];
    int n = 0;
    if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %n", &s, &e, perms, &off, &n) == 4 && n > 0) {
      char *name = line + n;
      name[strcspn(name, "\n")] = 0;
      snprintf(head, sizeof head, "%lx-%lx %s %lx", s, e, perms, off);
      // keep the name after the header string, separated by the terminating NUL
      size_t hl = strlen(head);
      snprintf(head + hl + 1, sizeof head - hl - 1, "%s", name);
      anon = 0;
      strcpy(flags, "-");
      continue;
    }
    long kb;
    if (sscanf(line, "Anonymous: %ld kB", &kb) == 1) anon = kb;
    else if (strncmp(line, "VmFlags:", 8) == 0) {
      char *p = line + 8, *w;
      flags[0] = 0;
      while ((w = strtok_r(p, " \n", &p)) != NULL) {
        if (flags[0]) strncat(flags, ",", sizeof flags - strlen(flags) - 1);
        strncat(flags, w, sizeof flags - strlen(flags) - 1);
      }
      if (!flags[0]) strcpy(flags, "-");
      char *name = head + strlen(head) + 1;
      fprintf(out, "%s %ld %s%s%s\n", head, anon, flags, name[0] ? " " : "", name);
      head[0] = 0;
    }
  }
  fclose(f);
  return 0;
}

static void sample(const pid_t *pids, int n) {
  if (next_sample >= max_samples) return;
  long id = next_sample++;
  marker(2 * id);
  for (int i = 0; i < n; i++) {
    fprintf(out, "sample %ld %d\n", id, pids[i]);
    write_smaps(pids[i]);
    fprintf(out, "end\n");
  }
  marker(2 * id + 1);
}

static void sample_all(void) {
  static pid_t pids[MAX_TASKS];
  int n = 0;
  for (int i = 0; i < ntasks; i++)
    if (tasks[i] == tgids[i]) pids[n++] = tasks[i];
  sample(pids, n);
}

// /proc/PID/stat fields 28 (startstack) and 47 (start_brk).
static void stat_fields(pid_t pid, unsigned long *start_stack, unsigned long *start_brk) {
  char path[64], buf[4096];
  *start_stack = *start_brk = 0;
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE *f = fopen(path, "r");
  if (!f) return;
  size_t len = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[len] = 0;
  char *p = strrchr(buf, ')');
  if (!p) return;
  int field = 2;
  for (char *w = strtok(p + 1, " "); w; w = strtok(NULL, " ")) {
    field++;
    if (field == 28) *start_stack = strtoul(w, NULL, 10);
    if (field == 47) *start_brk = strtoul(w, NULL, 10);
  }
}

static void walk(pid_t pid) {
  char path[96];
  snprintf(path, sizeof path, "/proc/%d/task", pid);
  DIR *d = opendir(path);
  if (!d) return;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.') continue;
    pid_t tid = atoi(de->d_name);
    add_task(tid);
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", pid, tid);
    FILE *f = fopen(path, "r");
    if (!f) continue;
    int child;
    while (fscanf(f, "%d", &child) == 1) walk(child);
    fclose(f);
  }
  closedir(d);
}

static int run_walk(pid_t root, double interval) {
  int status;
  double next = now_ms();
  for (;;) {
    pid_t w = waitpid(root, &status, WNOHANG);
    if (w == root) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (now_ms() >= next) {
      ntasks = 0;
      walk(root);
      sample_all();
      next = now_ms() + interval;
    }
    usleep(500);
  }
}

static int run_ptrace(pid_t root, double interval) {
  int status, code = 0;
  if (waitpid(root, &status, __WALL) < 0) return 127;
  ptrace(PTRACE_SETOPTIONS, root, 0,
         PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC |
             PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL);
  add_task(root);
  ptrace(PTRACE_CONT, root, 0, 0);
  double next = now_ms() + interval;
  for (;;) {
    pid_t tid = waitpid(-1, &status, __WALL | WNOHANG);
    if (tid < 0 && errno == ECHILD) return code;
    if (tid <= 0) {
      if (now_ms() >= next) {
        sample_all();
        next = now_ms() + interval;
      } else usleep(200);
      continue;
    }
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      if (tid == root) code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      remove_task(tid);
      continue;
    }
    if (!WIFSTOPPED(status)) continue;
    int sig = WSTOPSIG(status), event = status >> 16, inject = 0;
    unsigned long msg = 0;
    if (sig == SIGTRAP && event != 0) {
      ptrace(PTRACE_GETEVENTMSG, tid, 0, &msg);
      if (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK || event == PTRACE_EVENT_CLONE) {
        pid_t child = (pid_t)msg;
        const char *kind = event == PTRACE_EVENT_FORK ? "fork" : event == PTRACE_EVENT_VFORK ? "vfork"
                           : tgid_of(child) == tgid_of(tid)              ? "thread"
                                                                          : "fork";
        fprintf(out, "task %d %d %s\n", child, tid, kind);
        add_task(child);
      } else if (event == PTRACE_EVENT_EXEC) {
        if ((pid_t)msg != tid) remove_task((pid_t)msg);
        unsigned long stack, brk;
        stat_fields(tid, &stack, &brk);
        fprintf(out, "exec %d %lu %lu\n", tid, brk, stack);
        write_smaps(tid);
        fprintf(out, "end\n");
        remove_task(tid);
        add_task(tid);
      } else if (event == PTRACE_EVENT_EXIT) {
        if (tid == tgid_of(tid)) sample(&tid, 1);
      }
    } else if (sig == SIGSTOP) {
      add_task(tid); // a new task's first stop (may come before its parent's event)
    } else {
      inject = sig;
    }
    ptrace(PTRACE_CONT, tid, 0, inject);
  }
}

int main(int argc, char **argv) {
  if (argc < 7 || strcmp(argv[5], "--") != 0) {
    fprintf(stderr, "usage: vmasim-sampler OUT INTERVAL_MS MAX_SAMPLES PTRACE -- CMD ARGS...\n");
    return 127;
  }
  out = fopen(argv[1], "w");
  if (!out) {
    perror(argv[1]);
    return 127;
  }
  setvbuf(out, NULL, _IOFBF, 1 << 20);
  double interval = atof(argv[2]);
  max_samples = atol(argv[3]);
  int use_ptrace = atoi(argv[4]);
  fprintf(out, "sampler %d\n", getpid());
  pid_t child = fork();
  if (child == 0) {
    if (use_ptrace) {
      ptrace(PTRACE_TRACEME, 0, 0, 0);
      raise(SIGSTOP);
    }
    execvp(argv[6], argv + 6);
    perror(argv[6]);
    _exit(127);
  }
  fprintf(out, "task %d %d fork\n", child, getpid());
  int code = use_ptrace ? run_ptrace(child, interval) : run_walk(child, interval);
  fclose(out);
  return code;
}
