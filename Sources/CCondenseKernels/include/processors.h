#ifndef CONDENSE_PROCESSORS_H
#define CONDENSE_PROCESSORS_H

/// How many processors this process may run on: its affinity mask (which `mpirun` narrows to each rank's cores, and
/// `taskset` or a container's cpuset narrow too), or the online processors when the mask cannot be read.
int condense_allowed_processors(void);

#endif
