// A reserve-then-commit heap like the .NET GC's (and V8's, the JVM's): reserve a large
// PROT_NONE range, commit regions with mprotect(PROT_READ|PROT_WRITE) as the heap grows,
// in allocation order that is not address order, and decommit regions with
// madvise(MADV_DONTNEED) + mprotect(PROT_NONE). Regions committed and faulted apart get
// different anon_vmas, so adjacent committed regions stay separate VMAs.
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define REGION (256 * 1024)
#define REGIONS 64

int main(void) {
  char *heap = mmap(NULL, (size_t)REGIONS * REGION, PROT_NONE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (heap == MAP_FAILED) return perror("mmap"), 1;
  int committed = 0;
  for (int round = 0; round < 3; round++) {
    for (int k = 0; k < REGIONS; k++) {
      int r = (k * 37 + round * 11) % REGIONS; // the allocator's region order
      char *p = heap + (size_t)r * REGION;
      if (mprotect(p, REGION, PROT_READ | PROT_WRITE) == 0) committed++;
      memset(p, r, REGION / 4); // allocate objects in it
    }
    for (int r = round; r < REGIONS; r += 5) { // a GC frees some regions
      char *p = heap + (size_t)r * REGION;
      madvise(p, REGION, MADV_DONTNEED);
      mprotect(p, REGION, PROT_NONE);
    }
  }
  printf("%d commits\n", committed);
  return 0;
}
