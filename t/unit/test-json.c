/* The JSON writer: nesting, commas, escaping. */
#include <stdlib.h>

#include "json.h"
#include "tap.h"

int main(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	json_init(&j, f);
	json_begin_object(&j, NULL);
	json_string(&j, "s", "a\"b\\c\n\t\x01\x7f");
	json_int(&j, "i", -3);
	json_uint(&j, "u", 18446744073709551615ULL);
	json_bool(&j, "t", 1);
	json_bool(&j, "f", 0);
	json_null(&j, "n");
	json_string(&j, "ns", NULL);
	json_begin_array(&j, "a");
	json_int(&j, NULL, 1);
	json_begin_object(&j, NULL);
	json_end_object(&j);
	json_begin_array(&j, NULL);
	json_end_array(&j);
	json_end_array(&j);
	json_end_object(&j);
	json_finish(&j);
	fclose(f);
	tap_is_str(buf,
		   "{\n"
		   "  \"s\": \"a\\\"b\\\\c\\n\\t\\u0001\\u007f\",\n"
		   "  \"i\": -3,\n"
		   "  \"u\": 18446744073709551615,\n"
		   "  \"t\": true,\n"
		   "  \"f\": false,\n"
		   "  \"n\": null,\n"
		   "  \"ns\": null,\n"
		   "  \"a\": [\n"
		   "    1,\n"
		   "    {},\n"
		   "    []\n"
		   "  ]\n"
		   "}\n", "document with every kind of value");
	free(buf);

	/* One document a line: the same members, no newline until the end. */
	buf = NULL;
	f = open_memstream(&buf, &len);
	json_init_line(&j, f);
	json_begin_object(&j, NULL);
	json_string(&j, "s", "x");
	json_begin_array(&j, "a");
	json_uint(&j, NULL, 1);
	json_begin_object(&j, NULL);
	json_null(&j, "n");
	json_end_object(&j);
	json_end_array(&j);
	json_end_object(&j);
	json_finish(&j);
	fclose(f);
	tap_is_str(buf, "{\"s\":\"x\",\"a\":[1,{\"n\":null}]}\n", "one document a line");
	free(buf);
	return tap_done();
}
