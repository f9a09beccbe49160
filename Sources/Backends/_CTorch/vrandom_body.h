// The body of vrandom.c's sampler, compiled once per instruction set (as vmath_body.h): vrandom.c
// includes it three times with NAME(x) and TARGET defined. No include guard, on purpose.

// Writes n normals for Philox blocks counter, counter+1, … (four normals a block: two
// Box-Muller pairs from the block's four words, 24 bits each).
TARGET static void NAME(normal_f32)(uint64_t key, uint64_t counter, float *out, long n) {
    uint32_t w0[N_BLOCKS], w1[N_BLOCKS], w2[N_BLOCKS], w3[N_BLOCKS];
    float buf[4 * N_BLOCKS];
    long blocks = (n + 3) / 4;
    for (long b0 = 0; b0 < blocks; b0 += N_BLOCKS) {
        long nb = blocks - b0 < N_BLOCKS ? blocks - b0 : N_BLOCKS;
        for (long i = 0; i < N_BLOCKS; i++) {
            uint64_t c = counter + (uint64_t)(b0 + i);
            uint32_t c0 = (uint32_t)c, c1 = (uint32_t)(c >> 32), c2 = 0, c3 = 0;
            uint32_t k0 = (uint32_t)key, k1 = (uint32_t)(key >> 32);
            for (int r = 0; r < 10; r++) {
                uint64_t p0 = (uint64_t)0xD2511F53u * c0;
                uint64_t p1 = (uint64_t)0xCD9E8D57u * c2;
                uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
                uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
                c1 = (uint32_t)p1;
                c3 = (uint32_t)p0;
                c0 = n0;
                c2 = n2;
                k0 += 0x9E3779B9u;
                k1 += 0xBB67AE85u;
            }
            w0[i] = c0; w1[i] = c1; w2[i] = c2; w3[i] = c3;
        }
        for (long i = 0; i < 2 * N_BLOCKS; i++) {
            uint32_t a = (i & 1) ? w2[i >> 1] : w0[i >> 1];
            uint32_t b = (i & 1) ? w3[i >> 1] : w1[i >> 1];
            float u1 = 1.0f - (float)(a >> 8) * 0x1p-24f;  // (0, 1]
            float u2 = (float)(b >> 8) * 0x1p-24f;         // [0, 1)
            float radius = sqrtf(-2.0f * log_pos(u1));
            // θ = 2π u2 as quarter turns k and a remainder f in [-π/4, π/4].
            float t = u2 * 4.0f;
            float kf = (t + 12582912.0f) - 12582912.0f;  // round to nearest
            int32_t k = (int32_t)kf;
            float f = (t - kf) * 1.57079632679489662f;
            float f2 = f * f;
            float sf = f + f * f2 * (-0.166666597127914f + f2 * (0.0083321608044f + f2 * -0.000195169128f));
            float cf = 1.0f + f2 * (-0.5f + f2 * (0.041666645557f + f2 * (-0.0013887316255f + f2 * 2.4433157e-05f)));
            int32_t q = k & 3;
            float c = (q & 1) ? sf : cf;
            float s = (q & 1) ? cf : sf;
            c = (q == 1 || q == 2) ? -c : c;
            s = (q >= 2) ? -s : s;
            buf[2 * i] = radius * c;
            buf[2 * i + 1] = radius * s;
        }
        long first = 4 * b0, count = n - first < 4 * nb ? n - first : 4 * nb;
        memcpy(out + first, buf, (size_t)count * sizeof(float));
    }
}
