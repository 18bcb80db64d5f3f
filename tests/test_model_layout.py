"""The addon's models are split into files, one per model or per concern of
a model. Odoo stacks the classes of one model in the order
``models/__init__.py`` imports their files: a method or a field defined in
two of them is the one of the file imported last, and sorting the imports
would silently switch the other off. So each name of a model is defined in
one file of the addon only."""

import inspect
from collections import defaultdict

from odoo.fields import Field
from odoo.tests import TransactionCase, tagged

ADDON_PREFIX = "odoo.addons.mail_activity_tracking."


def defined_names(definition):
    """The methods and fields a model definition class defines itself."""
    return [
        name
        for name, value in vars(definition).items()
        if isinstance(value, (Field, classmethod, staticmethod, property)) or inspect.isfunction(value)
    ]


@tagged("post_install", "-at_install")
class TestModelLayout(TransactionCase):
    maxDiff = None

    def test_no_name_of_a_model_is_defined_in_two_files(self):
        redefined = {}
        for model_name in self.env.registry:
            files = defaultdict(set)
            for definition in type(self.env[model_name]).__mro__:
                module = definition.__module__
                if getattr(definition, "pool", None) is None and module.startswith(ADDON_PREFIX):
                    for name in defined_names(definition):
                        files[name].add(module.removeprefix(ADDON_PREFIX))
            redefined.update(
                {f"{model_name}.{name}": sorted(modules) for name, modules in files.items() if len(modules) > 1}
            )
        self.assertEqual(redefined, {}, "defined in several files of one model: their import order decides")
