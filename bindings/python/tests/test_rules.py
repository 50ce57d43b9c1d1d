"""User rules from Python: Rules.from_text / from_file, classify(rules=...),
advice from a user record, and RulesError with the file and the line."""
import os
import tempfile
import unittest

import smtpreply

HEAD = "id\tcategory\tpriority\tcodes\tpattern\tprovider\tblocklist\toptions\tadvice\tsource\n"
GOOD = (HEAD + "local-stuffed\tmailbox_full\t60\t-\tpostbox is stuffed\t-\t-\t-\tlocal-full\tour MX\n"
        "generic-user-unknown\tdisable\t-\t-\t-\t-\t-\t-\t-\tours\n"
        "\nid\tactors\tremove\tsummary\tsteps\treference\n"
        "local-full\trecipient\tno\tThe postbox is stuffed.\tWait | Call\thttps://example.org\n")


class TestRules(unittest.TestCase):
    def test_from_text_changes_the_verdict(self):
        rules = smtpreply.Rules.from_text(GOOD, "local.tsv")
        self.assertEqual(len(rules), 1)
        r = smtpreply.classify("552 Your postbox is stuffed", rules=rules)
        self.assertEqual(str(r.category), "mailbox_full")
        self.assertEqual(r.rule, "local-stuffed (local.tsv:2)")
        self.assertEqual(smtpreply.advice(r).id, "local-full")
        self.assertEqual(smtpreply.advice(r).steps, ("Wait", "Call"))
        # without the rules, the built-in table decides
        self.assertNotEqual(smtpreply.classify("552 Your postbox is stuffed").rule, r.rule)
        # the disabled built-in rule does not match
        self.assertNotEqual(smtpreply.classify("550 user unknown", rules=rules).rule,
                            "generic-user-unknown")

    def test_result_outlives_the_name(self):
        r = smtpreply.classify("552 Your postbox is stuffed", rules=smtpreply.Rules.from_text(GOOD))
        self.assertEqual(r.rule, "local-stuffed (<text>:2)")  # the result keeps the rules alive

    def test_from_file_and_errors_name_the_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            good = os.path.join(tmp, "good.tsv")
            bad = os.path.join(tmp, "bad.tsv")
            with open(good, "w") as f:
                f.write(GOOD)
            with open(bad, "w") as f:
                f.write(HEAD + "fine\tpolicy\t50\t-\tfoo\t-\t-\t-\t-\ts\nx\tbogus\t50\t-\tfoo\t-\t-\t-\t-\ts\n")
            self.assertEqual(len(smtpreply.Rules.from_file(good)), 1)
            with self.assertRaises(smtpreply.RulesError) as cm:
                smtpreply.Rules.from_file(good, bad)
            self.assertEqual(cm.exception.file, bad)
            self.assertEqual(cm.exception.line, 3)
            self.assertIn("unknown category 'bogus'", cm.exception.message)
            with self.assertRaises(smtpreply.RulesError) as cm:
                smtpreply.Rules.from_file(os.path.join(tmp, "missing.tsv"))
            self.assertEqual(cm.exception.code, -20)  # io

    def test_same_results_as_c_and_cli_for_an_empty_object(self):
        rules = smtpreply.Rules.from_text(HEAD)
        for text in ("550 5.1.1 <a@example.org>: User unknown", "421 4.7.0 Try again later",
                     "Connection timed out"):
            a, b = smtpreply.classify(text), smtpreply.classify(text, rules=rules)
            self.assertEqual((a.category, a.rule, a.recipient_action), (b.category, b.rule, b.recipient_action))

    def test_rules_must_be_compiled(self):
        with self.assertRaises(TypeError):
            smtpreply.classify("550 x", rules=smtpreply.Rules())


if __name__ == "__main__":
    unittest.main()
