#ifndef FEEDBENCH_MALLOC_COUNTER_H
#define FEEDBENCH_MALLOC_COUNTER_H

/// Heap allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign) made by this
/// process since it started. The counter is process-wide and relaxed-atomic.
unsigned long long feedbench_allocation_count(void);

/// 1 when this executable's malloc replacement is the one in use (it counted something).
int feedbench_malloc_counter_active(void);

#endif
