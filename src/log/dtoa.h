/*
 * dtoa.h - shortest double formatting as Zeek's JSON writer prints it
 * (rapidjson: Grisu2 digits, then its "Prettify" layout).
 */
#ifndef CL_LOG_DTOA_H
#define CL_LOG_DTOA_H

/* Longest output: "-" + 17 digits + "." + "e-308" and the like, < 32. */
#define CL_DTOA_MAX 32

/* Write v at p (no NUL) and return the end. NaN and infinities are
 * written as "null", as Zeek's JSON output has them. */
char *cl_dtoa(char *p, double v);

#endif /* CL_LOG_DTOA_H */
