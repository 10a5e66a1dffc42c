#pragma once
// epoll for the `--readers epoll` harness: Swift's Glibc module does not export <sys/epoll.h>.
#include <sys/epoll.h>

/// prctl(PR_SET_TIMERSLACK) for the calling thread (prctl is variadic, so not callable from Swift).
int fanoutbench_set_timer_slack(unsigned long nanoseconds);
