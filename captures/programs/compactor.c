// A compacting collector that moves objects with mremap, the pattern of Android ART's
// older moving GC and a ZGC prototype: objects live in page-sized slots of a from-space;
// each cycle the survivors are moved, page by page, with mremap(MREMAP_FIXED) into
// consecutive slots of a fresh to-space. The moved pages keep their anon_vma and pgoff, so
// Linux cannot merge them with their new neighbours: one VMA per moved object.
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define PAGE 4096
#define SLOTS 256
#define CYCLES 4

static char *space(void) {
  char *p = mmap(NULL, SLOTS * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) perror("mmap");
  return p;
}

int main(void) {
  char *from = space();
  int live = SLOTS;
  for (int i = 0; i < live; i++) memset(from + i * PAGE, i, PAGE); // allocate objects
  for (int c = 0; c < CYCLES; c++) {
    char *to = space();
    int kept = 0;
    for (int i = 0; i < live; i++) {
      if ((i * 7 + c) % 3 == 0) continue; // this object died
      mremap(from + i * PAGE, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, to + kept * PAGE);
      to[kept * PAGE] ^= 1; // the mutator touches the moved object
      kept++;
    }
    munmap(from, SLOTS * PAGE); // what is left of from-space
    for (int i = kept; i < SLOTS; i++) memset(to + i * PAGE, c, PAGE); // new allocations
    from = to;
    live = SLOTS;
    printf("cycle %d: %d survivors moved\n", c, kept);
  }
  return 0;
}
