"""Import shim so that unmodified DEEPaaS v2 modules run on seascope.

DEEPaaS modules import ``deepaas.model.v2.wrapper.UploadedFile`` and
``deepaas.model.v2.base.BaseModel``; this distribution provides both. Do not install
it next to the real ``deepaas`` package: both own the ``deepaas`` import name.
"""

__all__: list[str] = []
