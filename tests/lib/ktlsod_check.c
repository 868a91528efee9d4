// SPDX-License-Identifier: MIT
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ktlsod_check.h"
#include "pki.h"

int ktlsod_check(const char *conf, char *line, size_t size)
{
	char daemon[PATH_MAX + 16];
	int err_pipe[2], status;
	FILE *err;
	pid_t pid;

	snprintf(daemon, sizeof(daemon), "%s/build/ktlsod", repo_root());
	if (pipe(err_pipe))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null < 0 || dup2(null, 1) < 0 || dup2(err_pipe[1], 2) < 0)
			_exit(127);
		close(err_pipe[0]);
		execl(daemon, daemon, "-t", "-c", conf, (char *)NULL);
		_exit(127);
	}
	close(err_pipe[1]);
	err = fdopen(err_pipe[0], "r");
	line[0] = '\0';
	while (err && fgets(line, size, err))
		;
	line[strcspn(line, "\n")] = '\0';
	if (err)
		fclose(err);
	else
		close(err_pipe[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
