// The body of vconv.c's direct convolution, compiled once per instruction set (vconv.c includes it
// three times with NAME(x), TARGET and VBYTES defined, as vmath_body.h). No include guard, on purpose.

// One block of CONV_R output channels of one sample (Note [Direct convolution]): `xs` is
// the sample's zero-padded input [c, hp, wp] (with slack after it), `wb` the block's packed weights
// [c, taps, CONV_R], `y` the block's first output plane; `nr` of the block's channels
// are real. The outputs are computed at every flat position p = oy·wp + ox of the padded width, T
// vectors at a time, so that each tap is one unaligned vector load at p + offset; the columns past
// ow are computed and dropped when the block is stored.
TARGET static void NAME(conv_direct_block_f32)(const float *xs, const float *wb, const float *bias, long nr, float *y,
                                               const ctorch_conv_geometry *g) {
    typedef float vf __attribute__((vector_size(VBYTES)));
    enum { L = VBYTES / 4, T = CONV_T(VBYTES), R = CONV_R(VBYTES), TL = T * L };
    long taps = g->kh * g->kw, plane = g->hp * g->wp, span = (g->oh - 1) * g->wp + g->ow;
    long off[CTORCH_CONV_MAX_TAPS];
    for (long i = 0; i < g->kh; i++)
        for (long j = 0; j < g->kw; j++) off[i * g->kw + j] = i * g->dh * g->wp + j * g->dw;
    long oy0 = 0, ox0 = 0;  // the output position of p0, kept without a division per block
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
        // The block's valid columns as runs (first lane, destination, length), then each channel's
        // sums stored run by run.
        long runq[TL + 1], rund[TL + 1], runn[TL + 1], runs = 0;
        long q = 0, oy = oy0, ox = ox0;
        while (q < TL && oy < g->oh) {
            long run = g->wp - ox;
            if (run > TL - q) run = TL - q;
            if (ox < g->ow) {
                long valid = g->ow - ox < run ? g->ow - ox : run;
                runq[runs] = q; rund[runs] = oy * g->ow + ox; runn[runs] = valid; runs++;
            }
            q += run;
            ox += run;
            if (ox == g->wp) { ox = 0; oy++; }
        }
        oy0 = oy; ox0 = ox;
        // Constant indices into acc only (unrolled loops), or the compiler keeps every sum in
        // memory and stores it after each multiply-add.
        _Pragma("clang loop unroll(full)")
        for (int r = 0; r < R; r++) {
            if (r >= nr) break;
            float *yr = y + r * g->oh * g->ow;
#if VBYTES == 64
            // Masked stores straight from the registers (a memcpy a run cost 11 % of the MNIST
            // example's 32→64 convolution); masked-off lanes are never touched.
            for (long k = 0; k < runs; k++) {
                long q = runq[k], end = q + runn[k];
                float *base = yr + rund[k] - q;
                _Pragma("clang loop unroll(full)")
                for (int u = 0; u < T; u++) {
                    long lo = q > u * L ? q : u * L, hi = end < (u + 1) * L ? end : (u + 1) * L;
                    if (lo >= hi) continue;
                    __mmask16 m = (__mmask16)(((1u << (hi - lo)) - 1u) << (lo - u * L));
                    _mm512_mask_storeu_ps(base + u * L, m, (__m512)acc[r][u]);
                }
            }
#else
            float tmp[TL];
            for (int u = 0; u < T; u++) {
                vf a = acc[r][u];
                memcpy(tmp + u * L, &a, VBYTES);
            }
            for (long k = 0; k < runs; k++) memcpy(yr + rund[k], tmp + runq[k], sizeof(float) * (size_t)runn[k]);
#endif
        }
    }
}

// The weight gradient of the direct convolution for one work unit (Note [Direct convolution's
// weight gradient] in vconv.c): output channels [b·R, b·R + R) and input channels [c0, c1), summed
// over every sample. `gp` is the output gradient at the padded width ([n, oR, P], zeros past ow,
// past oh rows and past o channels), `xp` the padded input; the sums stay as vectors in `part`
// ([c1 - c0][tap groups][R][TB]) and are added across lanes once at the end.
TARGET static void NAME(conv_wgrad_unit_f32)(const float *xp, const float *gp, float *gw, float *part,
                                             const ctorch_conv_geometry *g, long P, long oR, long b, long c0,
                                             long c1) {
    typedef float vf __attribute__((vector_size(VBYTES)));
    enum { L = VBYTES / 4, R = WG_R(VBYTES), TB = 3 };
    long taps = g->kh * g->kw, groups = (taps + TB - 1) / TB, plane = g->hp * g->wp;
    long off[CTORCH_CONV_MAX_TAPS + TB];
    for (long i = 0; i < g->kh; i++)
        for (long j = 0; j < g->kw; j++) off[i * g->kw + j] = i * g->dh * g->wp + j * g->dw;
    for (long t = taps; t < groups * TB; t++) off[t] = 0;
    long cells = (c1 - c0) * groups * R * TB;
    memset(part, 0, sizeof(vf) * (size_t)cells);
    for (long n = 0; n < g->n; n++) {
        const float *gy = gp + (n * oR + b * R) * P;
        for (long c = c0; c < c1; c++) {
            const float *xc = xp + (n * g->c + c) * plane;
            for (long tg = 0; tg < groups; tg++) {
                float *pp = part + ((c - c0) * groups + tg) * R * TB * L;
                vf acc[R][TB];
                for (int r = 0; r < R; r++)
                    for (int t = 0; t < TB; t++) memcpy(&acc[r][t], pp + (r * TB + t) * L, VBYTES);
                const float *x0 = xc + off[tg * TB], *x1 = xc + off[tg * TB + 1], *x2 = xc + off[tg * TB + 2];
                for (long p = 0; p < P; p += L) {
                    vf gv[R], xv[TB];
                    for (int r = 0; r < R; r++) memcpy(&gv[r], gy + r * P + p, VBYTES);
                    memcpy(&xv[0], x0 + p, VBYTES);
                    memcpy(&xv[1], x1 + p, VBYTES);
                    memcpy(&xv[2], x2 + p, VBYTES);
                    for (int r = 0; r < R; r++)
                        for (int t = 0; t < TB; t++) acc[r][t] += gv[r] * xv[t];
                }
                for (int r = 0; r < R; r++)
                    for (int t = 0; t < TB; t++) {
                        vf a = acc[r][t];
                        memcpy(pp + (r * TB + t) * L, &a, VBYTES);
                    }
            }
        }
    }
    for (long c = c0; c < c1; c++)
        for (long tg = 0; tg < groups; tg++)
            for (long r = 0; r < R && b * R + r < g->o; r++)
                for (long t = 0; t < TB && tg * TB + t < taps; t++) {
                    const float *v = part + ((((c - c0) * groups + tg) * R + r) * TB + t) * L;
                    float s = 0;
                    for (int l = 0; l < L; l++) s += v[l];
                    gw[((b * R + r) * g->c + c) * taps + tg * TB + t] = s;
                }
}
