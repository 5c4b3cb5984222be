/* libFuzzer target: decoded token JSON (header or payload) through the strict
 * check, cJSON, the duplicate check, the claim checks and the identity copy;
 * and the same bytes as a JWKS document. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "auth/jwks.h"
#include "auth/jwt.h"
#include "conf.h"
#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ids[] = { "client1", "client2" };
	const struct jwt_policy p = { "https://issuer.example/pool", CONF_TOKEN_ANY, ids, 2, 5 };
	struct jwt_identity id;
	struct jwks_set set;
	char err[64];
	cJSON *o = NULL;

	if (size > 65536)
		return 0;
	if (json_strict_check((const char *)data, size) == 0)
		o = cJSON_ParseWithLength((const char *)data, size);
	if (o != NULL && !jwt_has_duplicates(o) &&
	    jwt_check_claims(o, &p, 1.7e9) == JWT_OK)
		(void)jwt_identity_from(o, &id);
	cJSON_Delete(o);
	if (jwks_parse(&set, (const char *)data, size, err, sizeof(err)) == 0)
		jwks_set_free(&set);
	return 0;
}
