// Counts heap allocations by replacing the malloc family in the executable (glibc supports
// replacing malloc by interposition: "Replacing malloc" in the glibc manual) and forwarding to
// glibc's own implementation through its exported __libc_* entry points. Chunks therefore stay
// glibc chunks, so malloc_usable_size (used by the Swift runtime) keeps working.
#include "malloc_counter.h"
#include <errno.h>
#include <stddef.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void __libc_free(void *p);
extern void *__libc_memalign(size_t alignment, size_t size);

static unsigned long long allocations = 0;

static inline void count(void) { __atomic_fetch_add(&allocations, 1, __ATOMIC_RELAXED); }

unsigned long long feedbench_allocation_count(void) { return __atomic_load_n(&allocations, __ATOMIC_RELAXED); }

int feedbench_malloc_counter_active(void) { return feedbench_allocation_count() > 0; }

void *malloc(size_t size) { count(); return __libc_malloc(size); }

void *calloc(size_t n, size_t size) { count(); return __libc_calloc(n, size); }

void *realloc(void *p, size_t size) { count(); return __libc_realloc(p, size); }

void free(void *p) { __libc_free(p); }

void *memalign(size_t alignment, size_t size) { count(); return __libc_memalign(alignment, size); }

void *aligned_alloc(size_t alignment, size_t size) { count(); return __libc_memalign(alignment, size); }

int posix_memalign(void **out, size_t alignment, size_t size) {
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return EINVAL;
    count();
    void *p = __libc_memalign(alignment, size);
    if (p == NULL && size != 0) return ENOMEM;
    *out = p;
    return 0;
}
