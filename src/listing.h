/* listing: GET /list?prefix=…&continuation=… — the objects the caller may
 * fetch, one ListObjectsV2 page at a time, filtered by the key rules. */
#ifndef S3GATE_LISTING_H
#define S3GATE_LISTING_H

#include "app.h"

int listing_handle(struct app_req *a);

#endif
