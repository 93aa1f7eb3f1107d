/*
 * testreg.h - Check suites register themselves, so adding a test file
 * never means editing a shared main().  In a test file:
 *
 *     static Suite *jwt_suite(void) { ... }
 *     TEST_SUITE(jwt_suite)
 */
#ifndef TESTREG_H
#define TESTREG_H

#include <check.h>

typedef Suite *(*suite_fn)(void);
void test_register(suite_fn fn);

#define TEST_SUITE(fn) \
	__attribute__((constructor)) static void reg_##fn(void) { test_register(fn); }

#endif
