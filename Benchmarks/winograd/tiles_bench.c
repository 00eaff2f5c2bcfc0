// Times the CPU backend's Winograd tile transforms (Sources/CCondenseKernels/winograd_tiles.c) on one sample of each
// ResNet-20 stage at 28 × 28 input, as the training step calls them: the best of 15 rounds of many calls, in µs a call.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "winograd_tiles.h"

static double seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

int main(void) {
    const long stages[3][2] = {{16, 28}, {32, 14}, {64, 7}};  // channels, plane height and width
    for (int s = 0; s < 3; s++) {
        long channels = stages[s][0], size = stages[s][1], tiles = (size + 1) / 2 * ((size + 1) / 2);
        long stride = tiles + 16, floats = channels * size * size;
        float *x = malloc((size_t)floats * sizeof(float)), *y = malloc((size_t)floats * sizeof(float));
        float *transformed = calloc((size_t)(16 * channels * stride), sizeof(float));
        float *scratch = calloc((size_t)condense_winograd_scratch_size(channels, size, size), sizeof(float));
        for (long i = 0; i < floats; i++) x[i] = (float)(i % 7) - 3;
        int calls = 20000 / (s + 1);
        double best[3] = {1e9, 1e9, 1e9};
        for (int round = 0; round < 15; round++) {
            double t0 = seconds();
            for (int i = 0; i < calls; i++)
                condense_winograd_input_tiles(x, channels, size, size, transformed, stride, 0, scratch);
            double t1 = seconds();
            for (int i = 0; i < calls; i++)
                condense_winograd_gradient_tiles(x, channels, size, size, transformed, stride, 0, scratch);
            double t2 = seconds();
            for (int i = 0; i < calls; i++)
                condense_winograd_output_tiles(transformed, channels, size, size, stride, 0, NULL, y);
            double t3 = seconds(), times[3] = {t1 - t0, t2 - t1, t3 - t2};
            for (int k = 0; k < 3; k++) best[k] = times[k] < best[k] ? times[k] : best[k];
        }
        printf("%ld channels %ld×%ld: input %.2f µs, gradient %.2f µs, output %.2f µs\n", channels, size, size,
               best[0] / calls * 1e6, best[1] / calls * 1e6, best[2] / calls * 1e6);
        free(x), free(y), free(transformed), free(scratch);
    }
    return 0;
}
