// SPDX-License-Identifier: GPL-2.0
/* imgsandbox: results through the worker equal the in-process ones; corrupt,
 * oversized and non-images come back as clean errors from a live worker; a
 * worker that crashes, breaks seccomp or hangs is reported and replaced;
 * input cap and recycling. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "imgenc.h"
#include "image/imgsandbox.h"

static void hashes_like_in_process(void **state)
{
	struct imgsandbox *sb = imgsandbox_new(NULL);
	uint8_t *pic = imgenc_picture(300, 200, 3, 21), *buf;
	struct pdq_pixels px = { pic, 300, 200, 3, 900 };
	struct pdq_hash want[PDQ_DIH_MAX];
	struct imgsandbox_result r;
	struct imgsandbox_stats st;
	size_t len;
	int q;

	(void)state;
	assert_non_null(sb);
	assert_int_equal(imgenc_png8(pic, 300, 200, 3, &buf, &len), 0);
	assert_int_equal(pdq_hash_dihedral(&px, want, &q), 0);
	assert_int_equal(imgsandbox_hash(sb, buf, len, IMGSANDBOX_DIHEDRAL, &r), 0);
	assert_string_equal(r.reason, "");
	assert_int_equal(r.format, IMAGE_PNG);
	assert_int_equal(r.width, 300);
	assert_int_equal(r.height, 200);
	assert_int_equal(r.quality, q);
	assert_memory_equal(r.hash, want, sizeof(want));
	assert_int_equal(imgsandbox_hash(sb, buf, len, 0, &r), 0);
	assert_memory_equal(&r.hash[PDQ_ORIG], &want[PDQ_ORIG], sizeof(want[0]));
	imgsandbox_stats(sb, &st);
	assert_int_equal(st.jobs, 2);
	assert_int_equal(st.hashed, 2);
	assert_int_equal(st.spawns, 1);
	free(buf);
	free(pic);
	imgsandbox_free(sb);
}

/* Bad input is the decoder's error, from a worker that stays up. */
static void bad_images_are_clean_errors(void **state)
{
	struct imgsandbox *sb = imgsandbox_new(NULL);
	uint8_t *pic = imgenc_picture(40, 30, 3, 22), *buf, huge[66] = { 0 };
	struct imgsandbox_result r;
	size_t len;
	int pid;

	(void)state;
	assert_int_equal(imgenc_jpeg(pic, 40, 30, 3, 80, &buf, &len), 0);
	assert_int_equal(imgsandbox_hash(sb, buf, 30, 0, &r), -EBADMSG);
	assert_string_equal(r.reason, "jpeg: truncated before the image data");
	assert_int_equal(r.format, IMAGE_JPEG);
	pid = imgsandbox_pid(sb);
	assert_true(pid > 0);
	memcpy(huge, "BM", 2);
	imgenc_le(huge + 10, 54, 4);
	imgenc_le(huge + 14, 40, 4);
	imgenc_le(huge + 18, 100000, 4);
	imgenc_le(huge + 22, 100000, 4);
	imgenc_le(huge + 28, 24, 2);
	assert_int_equal(imgsandbox_hash(sb, huge, sizeof(huge), 0, &r), -EFBIG);
	assert_string_equal(r.reason, "bmp: 100000x100000 is over the 16384x16384 limit");
	assert_int_equal(imgsandbox_hash(sb, "plain text", 10, 0, &r), -ENOTSUP);
	assert_string_equal(r.reason, "unknown: not a recognised image format");
	assert_int_equal(imgsandbox_pid(sb), pid);
	assert_int_equal(imgsandbox_hash(sb, buf, len, 0, &r), 0);
	free(buf);
	free(pic);
	imgsandbox_free(sb);
}

/* A worker that dies (crash, forbidden system call) or hangs costs one
 * image: the reason is reported, a new worker takes the next one. */
static void worker_faults_restart(void **state)
{
	struct imgsandbox_conf conf = { .timeout_ms = 300 };
	struct imgsandbox *sb = imgsandbox_new(&conf);
	uint8_t *pic = imgenc_picture(40, 30, 3, 23), *buf;
	struct imgsandbox_result r;
	struct imgsandbox_stats st;
	size_t len;
	int pid;

	(void)state;
	assert_int_equal(imgenc_png8(pic, 40, 30, 3, &buf, &len), 0);
	assert_int_equal(imgsandbox_hash(sb, buf, len, 0, &r), 0);
	pid = imgsandbox_pid(sb);
	assert_int_equal(imgsandbox_hash(sb, buf, len, IMGSANDBOX_T_CRASH, &r), -ECHILD);
	/* SIGILL, or SIGSYS when a sanitizer's handler makes a system call. */
	assert_true(!strcmp(r.reason, "image worker died: killed by SIGILL") ||
		    !strcmp(r.reason, "image worker died: killed by SIGSYS (seccomp: forbidden "
				      "system call)"));
	assert_true(imgsandbox_pid(sb) > 0 && imgsandbox_pid(sb) != pid);
	assert_int_equal(imgsandbox_hash(sb, buf, len, 0, &r), 0);
	assert_int_equal(imgsandbox_hash(sb, buf, len, IMGSANDBOX_T_SYSCALL, &r), -ECHILD);
	assert_string_equal(r.reason,
			    "image worker died: killed by SIGSYS (seccomp: forbidden system call)");
	assert_int_equal(imgsandbox_hash(sb, buf, len, IMGSANDBOX_T_HANG, &r), -ETIME);
	assert_string_equal(r.reason, "image worker timed out after 300 ms and was killed");
	assert_int_equal(imgsandbox_hash(sb, buf, len, 0, &r), 0);
	assert_int_equal(r.width, 40);
	imgsandbox_stats(sb, &st);
	assert_int_equal(st.jobs, 6);
	assert_int_equal(st.hashed, 3);
	assert_int_equal(st.crashes, 2);
	assert_int_equal(st.timeouts, 1);
	assert_int_equal(st.spawns, 4);
	free(buf);
	free(pic);
	imgsandbox_free(sb);
}

static void input_cap_and_recycling(void **state)
{
	struct imgsandbox_conf conf = { .max_input = 100, .max_jobs = 2 };
	struct imgsandbox *sb = imgsandbox_new(&conf);
	uint8_t big[200] = { 0xff, 0xd8, 0xff };
	uint8_t tiny_bmp[58] = { 'B', 'M' };
	struct imgsandbox_result r;
	int pid;

	(void)state;
	assert_int_equal(imgsandbox_hash(sb, big, sizeof(big), 0, &r), -EFBIG);
	assert_string_equal(r.reason, "200 bytes is over the 100 byte limit");
	assert_int_equal(imgsandbox_pid(sb), 0);	/* never sent */
	imgenc_le(tiny_bmp + 10, 54, 4);
	imgenc_le(tiny_bmp + 14, 40, 4);
	imgenc_le(tiny_bmp + 18, 1, 4);
	imgenc_le(tiny_bmp + 22, 1, 4);
	imgenc_le(tiny_bmp + 28, 24, 2);
	assert_int_equal(imgsandbox_hash(sb, tiny_bmp, sizeof(tiny_bmp), 0, &r), 0);
	assert_int_equal(r.quality, 0);		/* 1x1: too small to hash */
	pid = imgsandbox_pid(sb);
	assert_true(pid > 0);
	assert_int_equal(imgsandbox_hash(sb, tiny_bmp, sizeof(tiny_bmp), 0, &r), 0);
	assert_int_equal(imgsandbox_pid(sb), 0);	/* served its two jobs */
	assert_int_equal(imgsandbox_hash(sb, tiny_bmp, sizeof(tiny_bmp), 0, &r), 0);
	assert_true(imgsandbox_pid(sb) > 0 && imgsandbox_pid(sb) != pid);
	imgsandbox_free(sb);
	imgsandbox_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hashes_like_in_process),
		cmocka_unit_test(bad_images_are_clean_errors),
		cmocka_unit_test(worker_faults_restart),
		cmocka_unit_test(input_cap_and_recycling),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
