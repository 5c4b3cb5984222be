/* libFuzzer target: the token parser and the claim checks on whatever it yields. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/jwt.h"
#include "auth/token.h"
#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ids[] = { "client1" };
	const struct jwt_policy p = { "https://issuer.example/pool", CONF_TOKEN_ANY, ids, 1, 5 };
	struct jwt_identity id;
	struct jwt j;
	char *copy = malloc(size + 1);
	const char *tok = NULL;
	size_t len = 0;

	if (copy == NULL)
		return 0;
	memset(&j, 0, sizeof(j));
	memcpy(copy, data, size);
	copy[size] = '\0';
	if (token_from_header(copy, &tok, &len) == JWT_OK && jwt_parse(&j, tok, len) == JWT_OK &&
	    jwt_parse_payload(&j) == JWT_OK && jwt_check_claims(j.payload, &p, 1.7e9) == JWT_OK)
		(void)jwt_identity_from(j.payload, &id);
	jwt_free(&j);
	free(copy);
	return 0;
}
