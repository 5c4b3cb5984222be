/* mime: Content-Type by file extension. */
#ifndef S3GATE_MIME_H
#define S3GATE_MIME_H

/* The type for name's extension (case-insensitive), or NULL when unknown. */
const char *mime_for(const char *name);

#endif
