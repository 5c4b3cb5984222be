/* download: GET/HEAD /download?fn=KEY — the object relayed from S3 as it
 * arrives, or with mode=url / mode=redirect a presigned URL. */
#ifndef S3GATE_DOWNLOAD_H
#define S3GATE_DOWNLOAD_H

#include "app.h"

int download_handle(struct app_req *a);
/* Marks the request for the audit log (key and mode), before any decision. */
void download_audit_start(struct app_req *a);

#endif
