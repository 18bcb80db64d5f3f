"""Re-run the at-install tests of some modules on an existing database, with
every installed addon in the registry.

At install time, a module's at-install tests run as soon as it is loaded,
before the addons after it in the module graph: this is how they run with
those addons too. Odoo's HTTP server is started first (tours need it).

Usage: python3 bin/fidelity_at_install.py MODULE[,MODULE...] ODOO_OPTIONS...
(ODOO_OPTIONS as for ``odoo server``, one database, ``--test-tags`` applies)
Prints as its last line "at-install: T tests, F failed, E errors"; each
failure is logged by Odoo's test runner as usual ("FAIL: Class.method").
"""

import sys

from odoo import api
from odoo.modules.registry import Registry
from odoo.service import server
from odoo.tools import config


def main(modules, odoo_options):
    config.parse_config(odoo_options, setup_logging=True)
    (dbname,) = config["db_name"]
    # load the registry without the at-install tests Odoo runs while loading
    # each module when tests are enabled
    config["test_enable"] = False
    server.load_server_wide_modules()
    registry = Registry(dbname)
    config["test_enable"] = True
    # imported once the configuration is read; the test framework logs an
    # error when imported outside test mode
    from odoo import http
    from odoo.tests import loader
    from odoo.tests.result import OdooTestResult

    server.server = server.ThreadedServer(http.root)
    server.server.http_spawn()
    suite = loader.make_suite(modules, "at_install")
    if suite.has_http_case():
        with registry.cursor() as cr:
            api.Environment(cr, api.SUPERUSER_ID, {})["ir.qweb"]._pregenerate_assets_bundles()
    # the registry keeps no test report when loaded without tests
    report = registry._assertion_report or OdooTestResult()
    result = loader.run_suite(suite, global_report=report)
    report.update(result)
    report.log_stats()
    server.server.httpd.shutdown()
    print(f"at-install: {result.testsRun} tests, {result.failures_count} failed, {result.errors_count} errors")
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1].split(","), sys.argv[2:]))
