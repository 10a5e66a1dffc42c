#pragma once
/// prctl(PR_SET_TIMERSLACK) for the calling thread (prctl is variadic, so not callable from Swift).
int fanoutbench_set_timer_slack(unsigned long nanoseconds);
#include <sys/epoll.h>
