// optimizer.cl — in-place optimizer updates, one work-item per parameter element, PyTorch's update rules
// (torch.optim.SGD, torch.optim.AdamW). The CPU reference is Sources/CondenseCPU/Kernels/OptimizerKernels.swift,
// with the same operation order so both backends round alike.
//
// Defines (-D, defaults below): HAS_MOMENTUM 0/1, NESTEROV 0/1, FIRST_STEP 0/1 (SGD: the momentum buffer starts as
// the first gradient).

#ifndef HAS_MOMENTUM
#define HAS_MOMENTUM 0
#endif
#ifndef NESTEROV
#define NESTEROV 0
#endif
#ifndef FIRST_STEP
#define FIRST_STEP 0
#endif

__kernel void sgd_step(__global float* parameter, __global const float* gradient, __global float* momentum_buffer,
                       const int count, const float lr, const float momentum, const float one_minus_dampening,
                       const float weight_decay) {
    const int i = get_global_id(0);
    if (i >= count) return;
    float g = gradient[i] + weight_decay * parameter[i];
#if HAS_MOMENTUM
#if FIRST_STEP
    const float buffer = g;
#else
    const float buffer = momentum * momentum_buffer[i] + one_minus_dampening * g;
#endif
    momentum_buffer[i] = buffer;
#if NESTEROV
    g = g + momentum * buffer;
#else
    g = buffer;
#endif
#endif
    parameter[i] -= lr * g;
}

__kernel void adamw_step(__global float* parameter, __global const float* gradient, __global float* first_moment,
                         __global float* second_moment, const int count, const float decay,
                         const float one_minus_beta1, const float beta2, const float one_minus_beta2,
                         const float epsilon, const float step_size, const float second_moment_correction) {
    const int i = get_global_id(0);
    if (i >= count) return;
    const float g = gradient[i];
    const float p = parameter[i] * decay;
    const float m = first_moment[i] + one_minus_beta1 * (g - first_moment[i]);
    const float v = beta2 * second_moment[i] + one_minus_beta2 * g * g;
    first_moment[i] = m;
    second_moment[i] = v;
    parameter[i] = p - step_size * m / (sqrt(v) / second_moment_correction + epsilon);
}
