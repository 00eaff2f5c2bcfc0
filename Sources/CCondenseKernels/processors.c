#define _GNU_SOURCE
#include <sched.h>
#include <unistd.h>

#include "processors.h"

int condense_allowed_processors(void) {
    cpu_set_t mask;
    if (sched_getaffinity(0, sizeof mask, &mask) == 0) return CPU_COUNT(&mask);
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (int)online : 1;
}
