/* libFuzzer harness: the --expect file of bindtest, i.e. a saved -s table or
 * -j document (expect.c, and the JSON reader jsonin.c).  Any input must be
 * either accepted, with every cell one bindtest prints, or refused with a
 * message; a crash, a hang or a sanitizer report is a finding. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bindtest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bt_expect e;
	char err[256] = "", *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&e, 0, sizeof e);
	e.text = text;
	if (bt_expect_parse(&e, text, size, err, sizeof err) == 0) {
		if (e.ntables == 0 || e.ntables > BT_MAX_TABLES)
			abort();
		for (size_t t = 0; t < e.ntables; t++)
			for (int c = 0; c < BT_NADDR * BT_NADDR; c++) {
				const char *cell = e.table[t].cell[c];

				if (!e.table[t].header || !cell ||
				    !bt_cell_valid(cell, strcspn(cell, "|")))
					abort();
			}
	} else if (!err[0]) {
		abort();        /* refused without saying why */
	}
	bt_expect_free(&e);
	return 0;
}
