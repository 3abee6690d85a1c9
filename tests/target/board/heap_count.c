/* A counting allocator. The link wraps newlib's reentrant allocator entry
 * points (-Wl,--wrap=_malloc_r and the others below): malloc, free, calloc,
 * realloc, memalign and newlib's own internal allocations (stdio buffers,
 * strdup, ...) all pass through them. Each block has 8 bytes in front of
 * it: its requested size, the distance back to what _malloc_r returned, and
 * a mark. One free does not come from a counted block: _malloc_r itself
 * frees its old top chunk through _free_r when the program break moved
 * under it (only if something else calls _sbrk); a block without the mark
 * goes straight to newlib, uncounted. realloc, calloc and memalign are done here on top of
 * _malloc_r/_free_r, never by newlib's versions (those call _malloc_r and
 * _free_r themselves, which the link would route back here).
 * live/peak count requested bytes; board_heap().sbrk_bytes is the RAM the
 * allocator holds (in 4 KiB steps), extent_peak how far into it a block
 * ever reached (fragmentation and the headers included, no page rounding). */
#include <stdint.h>
#include <string.h>

#include "board.h"

struct _reent;
void* __real__malloc_r(struct _reent* r, size_t size);
void __real__free_r(struct _reent* r, void* p);
size_t board_sbrk_bytes(void);
size_t board_heap_limit(void);

#define HEADER 8u
static size_t live, peak, count;
static uintptr_t extent;
extern char __heap_start;

#define MARK 0xC0DEu
#define MAX_ALIGN 4096u

struct header {
  uint32_t size;
  uint16_t offset; /* from the block _malloc_r returned to the user's pointer */
  uint16_t mark;
};

static void* place(unsigned char* raw, unsigned char* user, size_t size) {
  struct header h = {(uint32_t)size, (uint16_t)(user - raw), MARK};
  memcpy(user - HEADER, &h, sizeof h);
  live += size;
  if (live > peak) peak = live;
  if ((uintptr_t)user + size > extent) extent = (uintptr_t)user + size;
  count++;
  return user;
}

static struct header header_of(void* user) {
  struct header h;
  memcpy(&h, (unsigned char*)user - HEADER, sizeof h);
  return h;
}

void* __wrap__malloc_r(struct _reent* r, size_t size) {
  if (size > UINT32_MAX - HEADER) return NULL;
  unsigned char* raw = __real__malloc_r(r, size + HEADER);
  if (raw == NULL) return NULL;
  return place(raw, raw + HEADER, size);
}

void __wrap__free_r(struct _reent* r, void* user) {
  if (user == NULL) return;
  const struct header h = header_of(user);
  if (h.mark != MARK) {
    __real__free_r(r, user);
    return;
  }
  live -= h.size;
  __real__free_r(r, (unsigned char*)user - h.offset);
}

void* __wrap__calloc_r(struct _reent* r, size_t n, size_t each) {
  if (each != 0 && n > SIZE_MAX / each) return NULL;
  void* p = __wrap__malloc_r(r, n * each);
  if (p != NULL) memset(p, 0, n * each);
  return p;
}

void* __wrap__realloc_r(struct _reent* r, void* user, size_t size) {
  if (user == NULL) return __wrap__malloc_r(r, size);
  const struct header h = header_of(user);
  void* p = __wrap__malloc_r(r, size);
  if (p == NULL) return NULL;  /* the old block stays valid, as realloc promises */
  memcpy(p, user, h.size < size ? h.size : size);
  __wrap__free_r(r, user);
  return p;
}

void* __wrap__memalign_r(struct _reent* r, size_t align, size_t size) {
  if (align <= HEADER) return __wrap__malloc_r(r, size);
  if ((align & (align - 1)) != 0 || align > MAX_ALIGN || size > UINT32_MAX - HEADER - align) return NULL;
  unsigned char* raw = __real__malloc_r(r, size + HEADER + align);
  if (raw == NULL) return NULL;
  const uintptr_t at = ((uintptr_t)raw + HEADER + align - 1) & ~(uintptr_t)(align - 1);
  return place(raw, (unsigned char*)at, size);
}

void board_heap_reset_peak(void) {
  peak = live;
  count = 0;
}

struct board_heap_stats board_heap(void) {
  const size_t reached = extent == 0 ? 0 : (size_t)(extent - (uintptr_t)&__heap_start);
  struct board_heap_stats s = {live, peak, count, board_sbrk_bytes(), reached, board_heap_limit()};
  return s;
}
