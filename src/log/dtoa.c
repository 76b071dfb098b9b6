/*
 * dtoa.c - Grisu2 (Florian Loitsch, "Printing Floating-Point Numbers
 * Quickly and Accurately with Integers", 2010) with the output layout of
 * rapidjson, whose copy in Zeek prints JSON time and interval values.
 *
 * Grisu2 is not always the shortest representation; byte identity with
 * Zeek needs the very same variant: the cached powers of ten every 8
 * decimal exponents, the boundaries narrowed by one unit on each side, and
 * the final "round towards the value" digit adjustment.
 */
#include "log/dtoa.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* A "do-it-yourself" floating point number f * 2^e. */
typedef struct diyfp {
    uint64_t f;
    int e;
} diyfp;

enum {
    SIGNIFICAND_BITS = 52,
    EXPONENT_BIAS = 0x3ff + SIGNIFICAND_BITS,
    MIN_EXPONENT = 1 - EXPONENT_BIAS
};
#define HIDDEN_BIT (UINT64_C(1) << SIGNIFICAND_BITS)

/* 10^k for k = -348, -340, ..., 340: 64-bit significand (rounded to
 * nearest) and binary exponent. Generated with exact rational arithmetic. */
static const struct {
    uint64_t f;
    int16_t e;
} cached_powers[87] = {
    {UINT64_C(0xfa8fd5a0081c0288), -1220}, {UINT64_C(0xbaaee17fa23ebf76), -1193}, {UINT64_C(0x8b16fb203055ac76), -1166},
    {UINT64_C(0xcf42894a5dce35ea), -1140}, {UINT64_C(0x9a6bb0aa55653b2d), -1113}, {UINT64_C(0xe61acf033d1a45df), -1087},
    {UINT64_C(0xab70fe17c79ac6ca), -1060}, {UINT64_C(0xff77b1fcbebcdc4f), -1034}, {UINT64_C(0xbe5691ef416bd60c), -1007},
    {UINT64_C(0x8dd01fad907ffc3c), -980}, {UINT64_C(0xd3515c2831559a83), -954}, {UINT64_C(0x9d71ac8fada6c9b5), -927},
    {UINT64_C(0xea9c227723ee8bcb), -901}, {UINT64_C(0xaecc49914078536d), -874}, {UINT64_C(0x823c12795db6ce57), -847},
    {UINT64_C(0xc21094364dfb5637), -821}, {UINT64_C(0x9096ea6f3848984f), -794}, {UINT64_C(0xd77485cb25823ac7), -768},
    {UINT64_C(0xa086cfcd97bf97f4), -741}, {UINT64_C(0xef340a98172aace5), -715}, {UINT64_C(0xb23867fb2a35b28e), -688},
    {UINT64_C(0x84c8d4dfd2c63f3b), -661}, {UINT64_C(0xc5dd44271ad3cdba), -635}, {UINT64_C(0x936b9fcebb25c996), -608},
    {UINT64_C(0xdbac6c247d62a584), -582}, {UINT64_C(0xa3ab66580d5fdaf6), -555}, {UINT64_C(0xf3e2f893dec3f126), -529},
    {UINT64_C(0xb5b5ada8aaff80b8), -502}, {UINT64_C(0x87625f056c7c4a8b), -475}, {UINT64_C(0xc9bcff6034c13053), -449},
    {UINT64_C(0x964e858c91ba2655), -422}, {UINT64_C(0xdff9772470297ebd), -396}, {UINT64_C(0xa6dfbd9fb8e5b88f), -369},
    {UINT64_C(0xf8a95fcf88747d94), -343}, {UINT64_C(0xb94470938fa89bcf), -316}, {UINT64_C(0x8a08f0f8bf0f156b), -289},
    {UINT64_C(0xcdb02555653131b6), -263}, {UINT64_C(0x993fe2c6d07b7fac), -236}, {UINT64_C(0xe45c10c42a2b3b06), -210},
    {UINT64_C(0xaa242499697392d3), -183}, {UINT64_C(0xfd87b5f28300ca0e), -157}, {UINT64_C(0xbce5086492111aeb), -130},
    {UINT64_C(0x8cbccc096f5088cc), -103}, {UINT64_C(0xd1b71758e219652c), -77}, {UINT64_C(0x9c40000000000000), -50},
    {UINT64_C(0xe8d4a51000000000), -24}, {UINT64_C(0xad78ebc5ac620000), 3}, {UINT64_C(0x813f3978f8940984), 30},
    {UINT64_C(0xc097ce7bc90715b3), 56}, {UINT64_C(0x8f7e32ce7bea5c70), 83}, {UINT64_C(0xd5d238a4abe98068), 109},
    {UINT64_C(0x9f4f2726179a2245), 136}, {UINT64_C(0xed63a231d4c4fb27), 162}, {UINT64_C(0xb0de65388cc8ada8), 189},
    {UINT64_C(0x83c7088e1aab65db), 216}, {UINT64_C(0xc45d1df942711d9a), 242}, {UINT64_C(0x924d692ca61be758), 269},
    {UINT64_C(0xda01ee641a708dea), 295}, {UINT64_C(0xa26da3999aef774a), 322}, {UINT64_C(0xf209787bb47d6b85), 348},
    {UINT64_C(0xb454e4a179dd1877), 375}, {UINT64_C(0x865b86925b9bc5c2), 402}, {UINT64_C(0xc83553c5c8965d3d), 428},
    {UINT64_C(0x952ab45cfa97a0b3), 455}, {UINT64_C(0xde469fbd99a05fe3), 481}, {UINT64_C(0xa59bc234db398c25), 508},
    {UINT64_C(0xf6c69a72a3989f5c), 534}, {UINT64_C(0xb7dcbf5354e9bece), 561}, {UINT64_C(0x88fcf317f22241e2), 588},
    {UINT64_C(0xcc20ce9bd35c78a5), 614}, {UINT64_C(0x98165af37b2153df), 641}, {UINT64_C(0xe2a0b5dc971f303a), 667},
    {UINT64_C(0xa8d9d1535ce3b396), 694}, {UINT64_C(0xfb9b7cd9a4a7443c), 720}, {UINT64_C(0xbb764c4ca7a44410), 747},
    {UINT64_C(0x8bab8eefb6409c1a), 774}, {UINT64_C(0xd01fef10a657842c), 800}, {UINT64_C(0x9b10a4e5e9913129), 827},
    {UINT64_C(0xe7109bfba19c0c9d), 853}, {UINT64_C(0xac2820d9623bf429), 880}, {UINT64_C(0x80444b5e7aa7cf85), 907},
    {UINT64_C(0xbf21e44003acdd2d), 933}, {UINT64_C(0x8e679c2f5e44ff8f), 960}, {UINT64_C(0xd433179d9c8cb841), 986},
    {UINT64_C(0x9e19db92b4e31ba9), 1013}, {UINT64_C(0xeb96bf6ebadf77d9), 1039}, {UINT64_C(0xaf87023b9bf0ee6b), 1066},
};

static diyfp diy_from_double(double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    int biased = (int)((bits >> SIGNIFICAND_BITS) & 0x7ff);
    uint64_t frac = bits & (HIDDEN_BIT - 1);
    if (biased)
        return (diyfp){frac + HIDDEN_BIT, biased - EXPONENT_BIAS};
    return (diyfp){frac, MIN_EXPONENT};
}

/* Product rounded to 64 bits (upper half plus the rounding bit). */
static diyfp diy_mul(diyfp a, diyfp b)
{
    unsigned __int128 p = (unsigned __int128)a.f * b.f;
    uint64_t hi = (uint64_t)(p >> 64), lo = (uint64_t)p;
    if (lo >> 63)
        hi++;
    return (diyfp){hi, a.e + b.e + 64};
}

static diyfp diy_normalize(diyfp v)
{
    while (!(v.f >> 63)) {
        v.f <<= 1;
        v.e--;
    }
    return v;
}

/* The neighbours half-way to the adjacent doubles, on a common exponent. */
static void boundaries(diyfp v, diyfp *minus, diyfp *plus)
{
    diyfp pl = diy_normalize((diyfp){(v.f << 1) + 1, v.e - 1});
    diyfp mi;
    if (v.f == HIDDEN_BIT) /* the gap below a power of two is half as wide */
        mi = (diyfp){(v.f << 2) - 1, v.e - 2};
    else
        mi = (diyfp){(v.f << 1) - 1, v.e - 1};
    mi.f <<= mi.e - pl.e;
    mi.e = pl.e;
    *minus = mi;
    *plus = pl;
}

/* A cached power c = 10^-k such that e + c.e + 64 lands in [-60, -32]. */
static diyfp cached_power(int e, int *k)
{
    double dk = (-61 - e) * 0.30102999566398114 + 347;
    int ik = (int)dk;
    if (dk - ik > 0.0)
        ik++;
    unsigned index = (unsigned)((ik >> 3) + 1);
    *k = -(-348 + (int)(index << 3));
    return (diyfp){cached_powers[index].f, cached_powers[index].e};
}

static const uint64_t pow10_table[20] = {
    UINT64_C(1), UINT64_C(10), UINT64_C(100), UINT64_C(1000), UINT64_C(10000),
    UINT64_C(100000), UINT64_C(1000000), UINT64_C(10000000),
    UINT64_C(100000000), UINT64_C(1000000000), UINT64_C(10000000000),
    UINT64_C(100000000000), UINT64_C(1000000000000),
    UINT64_C(10000000000000), UINT64_C(100000000000000),
    UINT64_C(1000000000000000), UINT64_C(10000000000000000),
    UINT64_C(100000000000000000), UINT64_C(1000000000000000000),
    UINT64_C(10000000000000000000)};

static int decimal_digits(uint32_t n)
{
    int d = 1;
    while (d < 9 && n >= pow10_table[d])
        d++;
    return d;
}

/* Move the last digit down while that brings it closer to the real value
 * and stays inside the safe interval. */
static void grisu_round(char *buf, int len, uint64_t delta, uint64_t rest,
                        uint64_t ten_kappa, uint64_t wp_w)
{
    while (rest < wp_w && delta - rest >= ten_kappa &&
           (rest + ten_kappa < wp_w || wp_w - rest > rest + ten_kappa - wp_w)) {
        buf[len - 1]--;
        rest += ten_kappa;
    }
}

/* Generate the digits of mp (integral part first, then fraction) until
 * the remainder fits within delta. */
static int digit_gen(diyfp w, diyfp mp, uint64_t delta, char *buf, int *k)
{
    int shift = -mp.e;
    uint64_t one = UINT64_C(1) << shift;
    uint64_t wp_w = mp.f - w.f;
    uint32_t p1 = (uint32_t)(mp.f >> shift);
    uint64_t p2 = mp.f & (one - 1);
    int kappa = decimal_digits(p1);
    int len = 0;
    while (kappa > 0) {
        uint32_t div = (uint32_t)pow10_table[kappa - 1];
        uint32_t d = p1 / div;
        p1 %= div;
        if (d || len)
            buf[len++] = (char)('0' + d);
        kappa--;
        uint64_t rest = ((uint64_t)p1 << shift) + p2;
        if (rest <= delta) {
            *k += kappa;
            grisu_round(buf, len, delta, rest, pow10_table[kappa] << shift, wp_w);
            return len;
        }
    }
    for (;;) {
        p2 *= 10;
        delta *= 10;
        char d = (char)(p2 >> shift);
        if (d || len)
            buf[len++] = (char)('0' + d);
        p2 &= one - 1;
        kappa--;
        if (p2 < delta) {
            *k += kappa;
            int index = -kappa;
            grisu_round(buf, len, delta, p2, one, wp_w * (index < 20 ? pow10_table[index] : 0));
            return len;
        }
    }
}

/* Digits of v > 0 into buf; v = digits * 10^k. Returns the digit count. */
static int grisu2(double v, char *buf, int *k)
{
    diyfp d = diy_from_double(v), wm, wp;
    boundaries(d, &wm, &wp);
    diyfp c = cached_power(wp.e, k);
    diyfp w = diy_mul(diy_normalize(d), c);
    diyfp mp = diy_mul(wp, c), mm = diy_mul(wm, c);
    mm.f++;
    mp.f--;
    return digit_gen(w, mp, mp.f - mm.f, buf, k);
}

static char *write_exponent(char *p, int e)
{
    if (e < 0) {
        *p++ = '-';
        e = -e;
    }
    if (e >= 100) {
        *p++ = (char)('0' + e / 100);
        e %= 100;
        *p++ = (char)('0' + e / 10);
        *p++ = (char)('0' + e % 10);
    } else if (e >= 10) {
        *p++ = (char)('0' + e / 10);
        *p++ = (char)('0' + e % 10);
    } else {
        *p++ = (char)('0' + e);
    }
    return p;
}

/* rapidjson's layout of digits d (len of them) times 10^k:
 * plain integers up to 21 digits get ".0", decimals down to 1e-6 are
 * written out, everything else is d.ddde[-]x. */
static char *prettify(char *p, const char *d, int len, int k)
{
    int kk = len + k; /* 10^(kk-1) <= v < 10^kk */
    if (k >= 0 && kk <= 21) {
        memcpy(p, d, (size_t)len);
        memset(p + len, '0', (size_t)k);
        p += kk;
        *p++ = '.';
        *p++ = '0';
        return p;
    }
    if (kk > 0 && kk <= 21) {
        memcpy(p, d, (size_t)kk);
        p[kk] = '.';
        memcpy(p + kk + 1, d + kk, (size_t)(len - kk));
        return p + len + 1;
    }
    if (kk > -6 && kk <= 0) {
        *p++ = '0';
        *p++ = '.';
        memset(p, '0', (size_t)-kk);
        p += -kk;
        memcpy(p, d, (size_t)len);
        return p + len;
    }
    *p++ = d[0];
    if (len > 1) {
        *p++ = '.';
        memcpy(p, d + 1, (size_t)(len - 1));
        p += len - 1;
    }
    *p++ = 'e';
    return write_exponent(p, kk - 1);
}

char *cl_dtoa(char *p, double v)
{
    if (!isfinite(v)) {
        memcpy(p, "null", 4);
        return p + 4;
    }
    if (v == 0) {
        if (signbit(v))
            *p++ = '-';
        memcpy(p, "0.0", 3);
        return p + 3;
    }
    if (v < 0) {
        *p++ = '-';
        v = -v;
    }
    char digits[24];
    int k;
    int len = grisu2(v, digits, &k);
    return prettify(p, digits, len, k);
}
