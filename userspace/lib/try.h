/* SPDX-License-Identifier: MIT */
/*
 * The error-handling idiom of libktlso: functions return 0 or -errno and are
 * marked WUR; TRY() propagates a failure, ENSURE() turns a broken condition
 * into one.
 */
#ifndef KTLSO_TRY_H
#define KTLSO_TRY_H

#define WUR __attribute__((warn_unused_result))

#define TRY(expr)                                                              \
	do {                                                                   \
		int try_err_ = (expr);                                         \
		if (try_err_ < 0)                                              \
			return try_err_;                                       \
	} while (0)

#define ENSURE(cond, err)                                                      \
	do {                                                                   \
		if (!(cond))                                                   \
			return (err);                                          \
	} while (0)

#endif /* KTLSO_TRY_H */
