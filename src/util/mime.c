#include "config.h"

#include <string.h>
#include <strings.h>

#include "util/mime.h"

/* The recipe's table first, then common additions. */
static const struct {
	const char *ext;
	const char *type;
} mime_table[] = {
	{ "pdf", "application/pdf" },
	{ "png", "image/png" },
	{ "gif", "image/gif" },
	{ "jpeg", "image/jpeg" },
	{ "jpg", "image/jpeg" },
	{ "svg", "image/svg+xml" },
	{ "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document" },
	{ "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" },
	{ "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation" },
	{ "doc", "application/msword" },
	{ "xls", "application/vnd.ms-excel" },
	{ "csv", "text/csv" },
	{ "ppt", "application/vnd.ms-powerpoint" },
	{ "rtf", "application/rtf" },
	{ "zip", "application/zip" },
	{ "rar", "application/vnd.rar" },
	{ "7z", "application/x-7z-compressed" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "json", "application/json" },
	{ "xml", "application/xml" },
	{ "html", "text/html; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "htm", "text/html; charset=utf-8" },
	{ "md", "text/markdown; charset=utf-8" },
	{ "mp4", "video/mp4" },
	{ "webm", "video/webm" },
	{ "mov", "video/quicktime" },
	{ "mp3", "audio/mpeg" },
	{ "wav", "audio/wav" },
	{ "webp", "image/webp" },
	{ "tif", "image/tiff" },
	{ "tiff", "image/tiff" },
	{ "odt", "application/vnd.oasis.opendocument.text" },
	{ "ods", "application/vnd.oasis.opendocument.spreadsheet" },
	{ "gz", "application/gzip" },
	{ "tar", "application/x-tar" },
};

const char *mime_for(const char *name)
{
	const char *dot = strrchr(name, '.'), *type = NULL;
	size_t i;

	if (dot == NULL || strchr(dot, '/') != NULL)
		return NULL;
	for (i = 0; i < sizeof(mime_table) / sizeof(mime_table[0]) && type == NULL; i++)
		if (strcasecmp(dot + 1, mime_table[i].ext) == 0)
			type = mime_table[i].type;
	return type;
}
