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
    import odoo.http

    server.server = server.ThreadedServer(odoo.http.root)
    server.server.http_spawn()

    from odoo.tests import loader

    suite = loader.make_suite(modules, "at_install")
    if suite.has_http_case():
        with registry.cursor() as cr:
            odoo.api.Environment(cr, odoo.api.SUPERUSER_ID, {})["ir.qweb"]._pregenerate_assets_bundles()
    result = loader.run_suite(suite, global_report=registry._assertion_report)
    registry._assertion_report.update(result)
    registry._assertion_report.log_stats()
    server.server.httpd.shutdown()
    print(f"at-install: {result.testsRun} tests, {result.failures_count} failed, {result.errors_count} errors")
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1].split(","), sys.argv[2:]))
