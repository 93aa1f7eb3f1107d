/* proc.c - see proc.h. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"

void
proc_slurp(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (f == NULL)
		return;
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

int
proc_run(char *const argv[], const char *in_path, const char *out_path, const char *err_path,
    char *out, size_t out_size, char *err, size_t err_size)
{
	pid_t pid;
	int st;

	fflush(NULL);
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		int i = in_path != NULL ? open(in_path, O_RDONLY) : 0;
		int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (i < 0 || o < 0 || e < 0 || dup2(i, 0) < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	proc_slurp(out_path, out, out_size);
	proc_slurp(err_path, err, err_size);
	unlink(out_path);
	unlink(err_path);
	ck_assert_msg(WIFEXITED(st), "%s died: %s", argv[0], err);
	return WEXITSTATUS(st);
}
