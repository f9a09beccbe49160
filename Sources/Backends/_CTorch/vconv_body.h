// The body of vconv.c's direct convolution, compiled once per instruction set (vconv.c includes it
// three times with NAME(x), TARGET and VBYTES defined, as vmath_body.h). No include guard, on purpose.

// One block of CTORCH_CONV_BLOCK output channels of one sample (Note [Direct convolution]): `xs` is
// the sample's zero-padded input [c, hp, wp] (with slack after it), `wb` the block's packed weights
// [c, taps, CTORCH_CONV_BLOCK], `y` the block's first output plane; `nr` of the block's channels
// are real. The outputs are computed at every flat position p = oy·wp + ox of the padded width, T
// vectors at a time, so that each tap is one unaligned vector load at p + offset; the columns past
// ow are computed and dropped when the block is stored.
TARGET static void NAME(conv_direct_block_f32)(const float *xs, const float *wb, const float *bias, long nr, float *y,
                                               const ctorch_conv_geometry *g) {
    typedef float vf __attribute__((vector_size(VBYTES)));
    enum { L = VBYTES / 4, T = VBYTES == 64 ? 4 : 2, R = CTORCH_CONV_BLOCK, TL = T * L };
    long taps = g->kh * g->kw, plane = g->hp * g->wp, span = (g->oh - 1) * g->wp + g->ow;
    long off[CTORCH_CONV_MAX_TAPS];
    for (long i = 0; i < g->kh; i++)
        for (long j = 0; j < g->kw; j++) off[i * g->kw + j] = i * g->dh * g->wp + j * g->dw;
    for (long p0 = 0; p0 < span; p0 += TL) {
        vf acc[R][T];
        for (int r = 0; r < R; r++) {
            float b = (bias && r < nr) ? bias[r] : 0.0f;
            for (int u = 0; u < T; u++) {
                vf z = {0};
                acc[r][u] = z + b;
            }
        }
        for (long c = 0; c < g->c; c++) {
            const float *xc = xs + c * plane + p0;
            const float *wc = wb + c * taps * R;
            for (long t = 0; t < taps; t++) {
                const float *xt = xc + off[t];
                vf v[T];
                for (int u = 0; u < T; u++) memcpy(&v[u], xt + u * L, VBYTES);
                for (int r = 0; r < R; r++) {
                    float s = wc[t * R + r];
                    for (int u = 0; u < T; u++) acc[r][u] += s * v[u];
                }
            }
        }
        // Store the valid columns: the block's flat positions, one output row segment at a time.
        float tmp[TL];
        for (long r = 0; r < nr; r++) {
            memcpy(tmp, acc[r], sizeof tmp);
            float *yr = y + r * g->oh * g->ow;
            long q = 0, p = p0;
            while (q < TL && p < span) {
                long oy = p / g->wp, ox = p % g->wp, run = g->wp - ox;
                if (run > TL - q) run = TL - q;
                if (ox < g->ow) {
                    long valid = g->ow - ox < run ? g->ow - ox : run;
                    memcpy(yr + oy * g->ow + ox, tmp + q, sizeof(float) * (size_t)valid);
                }
                q += run;
                p += run;
            }
        }
    }
}
