/*
 * rng.h: xoshiro256** random numbers. Each worker owns one state (four
 * words) and never shares it, so drawing takes no lock.
 */
#ifndef CICADA_RNG_H
#define CICADA_RNG_H

#include <stdint.h>

/* splitmix64 step, for seeding a state from one number. */
static inline uint64_t
rng_splitmix(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));

    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Seed the four words of s from seed. */
static inline void
rng_seed(uint64_t s[4], uint64_t seed)
{
    int i;

    for (i = 0; i < 4; i++)
        s[i] = rng_splitmix(&seed);
}

static inline uint64_t
rng_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* Next 64 random bits. */
static inline uint64_t
rng64(uint64_t s[4])
{
    uint64_t result = rng_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rng_rotl(s[3], 45);
    return result;
}

/* Uniform in [0, n) for n >= 1 (rejection-free multiply-shift; bias < n / 2^64). */
static inline uint64_t
rng_below64(uint64_t s[4], uint64_t n)
{
    return (uint64_t)(((unsigned __int128)rng64(s) * n) >> 64);
}

#endif
