/* Time two commands side by side: run A and B alternately ROUNDS times
 * (posix_spawn, output to /dev/null, wait), and print each one's median and
 * the ratio B/A.  Alternating keeps a machine's changing load from favouring
 * either.  With -b K, the alternation is by blocks of K runs back to back,
 * and the first run of each block (which follows the other command) is not
 * counted: back-to-back figures that a drifting load still cannot favour.
 * Usage: spawn-pair [-b K] ROUNDS A-ARGV... -- B-ARGV...  */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double run_once(char **argv, posix_spawn_file_actions_t *fa)
{
	struct timespec t0, t1;
	pid_t pid;
	int status;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (posix_spawn(&pid, argv[0], fa, NULL, argv, environ) != 0) {
		perror(argv[0]);
		exit(1);
	}
	waitpid(pid, &status, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "%s failed\n", argv[0]);
		exit(1);
	}
	return (t1.tv_sec - t0.tv_sec) * 1e6 + (t1.tv_nsec - t0.tv_nsec) / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	posix_spawn_file_actions_t fa;
	int rounds, split = 0, block = 1;

	if (argc > 3 && !strcmp(argv[1], "-b")) {
		block = atoi(argv[2]);
		argv += 2;
		argc -= 2;
	}
	for (int i = 2; i < argc; i++)
		if (!strcmp(argv[i], "--"))
			split = i;
	rounds = atoi(argv[1]);
	if (argc < 5 || !split || split == 2 || split == argc - 1 || block < 1 ||
	    rounds < 1 || (block > 1 && rounds % (block - 1))) {
		fprintf(stderr, "usage: spawn-pair [-b K] ROUNDS A... -- B...\n"
			"(with -b, ROUNDS a multiple of K-1)\n");
		return 2;
	}
	argv[split] = NULL;
	char **a = argv + 2, **b = argv + split + 1;
	double *ta = calloc((size_t)rounds, sizeof *ta), *tb = calloc((size_t)rounds, sizeof *tb);

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	for (int i = 0; i < 20; i++) {         /* warm the caches */
		run_once(a, &fa);
		run_once(b, &fa);
	}
	if (block == 1) {
		for (int i = 0; i < rounds; i++) {
			ta[i] = run_once(a, &fa);
			tb[i] = run_once(b, &fa);
		}
	} else {
		for (int i = 0; i < rounds; i += block - 1) {
			run_once(a, &fa);
			for (int k = 0; k < block - 1; k++)
				ta[i + k] = run_once(a, &fa);
			run_once(b, &fa);
			for (int k = 0; k < block - 1; k++)
				tb[i + k] = run_once(b, &fa);
		}
	}
	qsort(ta, (size_t)rounds, sizeof *ta, cmp);
	qsort(tb, (size_t)rounds, sizeof *tb, cmp);
	printf("%.1f %.1f %.3f\n", ta[rounds / 2], tb[rounds / 2], tb[rounds / 2] / ta[rounds / 2]);
	return 0;
}
