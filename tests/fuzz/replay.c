/* Replays a fuzz corpus through the target without libFuzzer, as TAP. */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_MAX (1 << 20)

static int replay_file(const char *path)
{
	static uint8_t buf[REPLAY_MAX];
	FILE *fp = fopen(path, "rb");
	size_t n;

	if (fp == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	LLVMFuzzerTestOneInput(buf, n);
	return 0;
}

int main(int argc, char **argv)
{
	char path[4096];
	struct dirent *de;
	int i, n = 0, failed = 0;

	for (i = 1; i < argc; i++) {
		DIR *d = opendir(argv[i]);

		if (d == NULL) {
			printf("not ok %d - cannot open %s\n", ++n, argv[i]);
			failed++;
			continue;
		}
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
			int rc = replay_file(path);

			failed += rc != 0;
			printf("%s %d - %s\n", rc != 0 ? "not ok" : "ok", ++n, de->d_name);
		}
		closedir(d);
	}
	printf("1..%d\n", n);
	return failed || n == 0 ? 1 : 0;
}
