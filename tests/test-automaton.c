/*
 * test-automaton.c - the generated automata's nodes never send a step past
 * their states.
 *
 * A deep state's first child is the next state (gen-tables.py numbers them so),
 * and a step from a deep state whose cls0 equals the class fed goes to s + 1.
 * A deep state without children must therefore have a cls0 that no byte's
 * class equals (lib/table.h: 0xFF, 0x7F in the wrapper automaton): with cls0 0
 * the bytes of class 0 (those no pattern uses: '%', '$', '{', control bytes)
 * stepped from a leaf into whatever state came next, and from the last state
 * past the tables (found by ASan on the test rows in 2026-12).  Each check
 * below is one line of the table and says what it checks.
 */
#include <stdio.h>

#include "internal.h"
#include "table.h"

static int failures;

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        if (!(cond)) {                                                     \
            failures++;                                                    \
            fprintf(stderr, "FAIL: " __VA_ARGS__);                         \
            fputc('\n', stderr);                                           \
        }                                                                  \
    } while (0)

/* The largest class a byte is given by cls[256]. */
static unsigned max_class(const uint8_t *cls)
{
    unsigned m = 0;
    for (int b = 0; b < 256; b++)
        if (cls[b] > m)
            m = cls[b];
    return m;
}

/* The deep states [from, n) of an automaton: every cls0 (masked) is a class
 * that has a next state, or the no-child marker, which is above every class;
 * the last state has no child. */
static unsigned check_nodes(const char *name, const struct smtp__node *nodes, uint32_t from,
                            uint32_t n, unsigned mask, unsigned nochild, unsigned maxcls)
{
    unsigned leaves = 0;
    CHECK(nochild > maxcls, "%s: the no-child marker %u is a class (largest %u)", name, nochild,
          maxcls);
    for (uint32_t s = from; s < n; s++) {
        unsigned c0 = nodes[s].cls0 & mask;
        if (c0 == nochild) {
            leaves++;
            continue;
        }
        CHECK(c0 <= maxcls, "%s: state %u has cls0 %u, neither a class nor the marker", name, s, c0);
        CHECK(s + 1 < n, "%s: state %u, the last, claims a first child (class %u)", name, s, c0);
    }
    CHECK(n > from && (nodes[n - 1].cls0 & mask) == nochild, "%s: the last state has a child", name);
    CHECK(leaves > 0, "%s: no deep state without children (the marker is not used)", name);
    return leaves;
}

int main(void)
{
    unsigned ac = check_nodes("phrase automaton", smtp__ac_nodes, smtp__ac_ndense, smtp__ac_nstates,
                              0xFFu, 0xFFu, max_class(smtp__cls));
    unsigned wr = check_nodes("wrapper automaton", smtp__wr_nodes, SMTP__WR_NDENSE, smtp__wr_nstates,
                              0x7Fu, 0x7Fu, max_class(smtp__wr_cls));
    printf("%u and %u deep states without children checked\n", ac, wr);
    return failures ? 1 : 0;
}
