/* The engine's rules (microgradnet/operations.py) in C, for code the compiler generates.

   Each rule computes what its Python twin computes, with the same libm function and the same
   order of operations, so the result is the same double. Where the Python rule would raise an
   error (or meets a number outside the finite case ported here) it sets *err instead; the caller
   then runs the Python back end, which raises the engine's own error or computes the rare case. */

#include <math.h>
#include <stdlib.h>

#define MGN_LOG_FLOOR (-100.0)

static void mgn_fail(int *err) { *err = 1; }

/* x / y as the table's `/` (Python raises ZeroDivisionError at y = 0). */
static double mgn_divide(double x, double y, int *err) {
    if (y == 0.0) mgn_fail(err);
    return x / y;
}

static double mgn_exp(double x, int *err) {
    double r = exp(x);
    if ((isinf(r) && isfinite(x)) || (isnan(r) && !isnan(x))) mgn_fail(err);
    return r;
}

static double mgn_log(double x, int *err) {
    if (x <= 0.0) mgn_fail(err);
    return log(x);
}

static double mgn_tanh(double x, int *err) { (void)err; return tanh(x); }

/* Two branches so that exp never overflows: sigmoid(-1000) is 0.0, sigmoid(1000) is 1.0. */
static double mgn_sigmoid(double x, int *err) {
    (void)err;
    if (x >= 0.0) return 1.0 / (1.0 + exp(-x));
    double e = exp(x);
    return e / (1.0 + e);
}

static double mgn_relu(double x, int *err) { (void)err; return x <= 0.0 ? 0.0 : x; }

/* max(ln x, -100) as Python's max(a, b) picks: a unless b > a. */
static double mgn_clamped_log(double x, int *err) {
    if (x < 0.0) mgn_fail(err);
    if (x == 0.0) return MGN_LOG_FLOOR;
    double l = log(x);
    return MGN_LOG_FLOOR > l ? MGN_LOG_FLOOR : l;
}

static double mgn_power(double x, double y, int *err) {
    if (!isfinite(x) || !isfinite(y)) { mgn_fail(err); return 0.0; }
    if (x < 0.0 && floor(y) != y) mgn_fail(err);
    if (x == 0.0 && y < 0.0) mgn_fail(err);
    double r = pow(x, y);
    if (!isfinite(r)) mgn_fail(err);
    return r;
}

/* d(x**y)/dx = y * x**(y-1). */
static double mgn_power_dbase(double x, double y, double out, int *err) {
    (void)out;
    if (!isfinite(x) || !isfinite(y)) { mgn_fail(err); return 0.0; }
    if (y == 0.0) return 0.0;
    if (x == 0.0 && y < 1.0) { mgn_fail(err); return 0.0; }
    double t = pow(x, y - 1.0);
    if (!isfinite(t)) mgn_fail(err); /* Python takes another path here: y * out / x */
    double slope = y * t;
    if (!isfinite(slope)) mgn_fail(err);
    return slope;
}

/* d(x**y)/dy = x**y * ln x. */
static double mgn_power_dexponent(double x, double y, double out, int *err) {
    if (!isfinite(x) || !isfinite(y)) { mgn_fail(err); return 0.0; }
    if (x == 0.0) return 0.0;
    if (x < 0.0) { mgn_fail(err); return 0.0; }
    double slope = out * log(x);
    if (!isfinite(slope)) mgn_fail(err);
    return slope;
}

/* Python's sum(terms, start) of floats, term by term: the plain running sum, or, where Python
   compensates it (CPython 3.12 and later), Neumaier's compensated sum as CPython writes it. */
static double mgn_py_sum(double start, const double *terms, long stride, long n, const double *by, long by_stride) {
    double s = start;
#if MGN_COMPENSATED_SUM
    double c = 0.0;
    for (long k = 0; k < n; k++) {
        double x = by ? terms[k * stride] * by[k * by_stride] : terms[k * stride];
        double t = s + x;
        if (fabs(s) >= fabs(x)) c += (s - t) + x;
        else c += (x - t) + s;
        s = t;
    }
    if (c != 0.0 && isfinite(c)) s += c;
#else
    for (long k = 0; k < n; k++) s += by ? terms[k * stride] * by[k * by_stride] : terms[k * stride];
#endif
    return s;
}

/* z = sum_k w_k a_k + b, as sum(map(mul, w, a), b); not finite: the Python rule decides. */
static double mgn_affine(const double *w, long ws, const double *a, long as, long n, double b, int *err) {
    double z = mgn_py_sum(b, w, ws, n, a, as);
    if (!isfinite(z)) mgn_fail(err);
    return z;
}

/* math.fsum: Shewchuk's exact partials, rounded once (CPython's msum, finite terms only). */
static double mgn_exact_sum(const double *v, long stride, long n, int *err) {
    double p[64]; /* non-overlapping partials of doubles: at most about 40 */
    int m = 0;
    for (long i = 0; i < n; i++) {
        double x = v[i * stride];
        if (!isfinite(x)) { mgn_fail(err); return 0.0; }
        int keep = 0;
        for (int j = 0; j < m; j++) {
            double y = p[j];
            if (fabs(x) < fabs(y)) { double swap = x; x = y; y = swap; }
            double hi = x + y;
            double lo = y - (hi - x);
            if (lo != 0.0) p[keep++] = lo;
            x = hi;
        }
        m = keep;
        if (x != 0.0) {
            if (!isfinite(x) || m >= 64) { mgn_fail(err); return 0.0; } /* Python: exact sum of Fractions */
            p[m++] = x;
        }
    }
    double hi = 0.0;
    if (m > 0) {
        double lo = 0.0;
        hi = p[--m];
        while (m > 0) {
            double x = hi, y = p[--m];
            hi = x + y;
            double yr = hi - x;
            lo = y - yr;
            if (lo != 0.0) break;
        }
        if (m > 0 && ((lo < 0.0 && p[m - 1] < 0.0) || (lo > 0.0 && p[m - 1] > 0.0))) {
            double y = lo * 2.0;
            double x = hi + y;
            double yr = x - hi;
            if (y == yr) hi = x;
        }
    }
    return hi;
}

/* m = max_k z_k as Python's max picks it, and sum_k e^(z_k - m) as Python's sum adds the list. */
static double mgn_max(const double *z, long zs, long n, int *err) {
    if (n == 0) { mgn_fail(err); return 0.0; }
    double m = z[0];
    for (long k = 0; k < n; k++) {
        if (!isfinite(z[k * zs])) mgn_fail(err);
        if (z[k * zs] > m) m = z[k * zs];
    }
    return m;
}

static double mgn_sum_exp(const double *z, long zs, long n, double m, int *err) {
    double small[64];
    double *e = n <= 64 ? small : malloc((size_t)n * sizeof(double));
    if (e == NULL || n == 0) { mgn_fail(err); return 1.0; }
    for (long k = 0; k < n; k++) e[k] = exp(z[k * zs] - m);
    double s = mgn_py_sum(e[0], e + 1, 1, n - 1, 0, 0);
    if (e != small) free(e);
    return s;
}

/* a_j = e^(z_j - m) / sum_k e^(z_k - m). */
static double mgn_softmax(const double *z, long zs, long n, long j, int *err) {
    double m = mgn_max(z, zs, n, err);
    return exp(z[j * zs] - m) / mgn_sum_exp(z, zs, n, m, err);
}

/* ln sum_k e^(z_k) = m + ln sum_k e^(z_k - m). */
static double mgn_logsumexp(const double *z, long zs, long n, int *err) {
    double m = mgn_max(z, zs, n, err);
    return m + log(mgn_sum_exp(z, zs, n, m, err));
}
