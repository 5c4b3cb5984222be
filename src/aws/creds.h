/* creds: AWS credentials in the order the AWS SDKs look for them:
 * environment, shared credentials file, ECS container endpoint, EC2 instance
 * metadata (IMDSv2); temporary ones are refreshed before they expire. */
#ifndef S3GATE_CREDS_H
#define S3GATE_CREDS_H

#include <stddef.h>
#include <time.h>

#include "aws/sigv4.h"
#include "conf.h"

enum creds_source { CREDS_NONE, CREDS_ENV, CREDS_FILE, CREDS_ECS, CREDS_IMDS };

/* Picks the source; static credentials are read now. -1 with err when the
 * environment or the file is half-set or unreadable. */
int creds_init(const struct conf *c, char *err, size_t errlen);
/* Current credentials (fetching or refreshing them when needed); -1 with err. */
int creds_get(struct sigv4_creds *out, time_t now, char *err, size_t errlen);
/* "environment", "shared credentials file (profile p)", ... for check-config. */
const char *creds_describe(char *dst, size_t cap);
void creds_cleanup(void);

#endif
