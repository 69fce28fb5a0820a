"""Test-only launcher: a real uvicorn server with the DEEPaaS v2 routes.

    python tests/e2e/_server.py --port 5000 --home /tmp/h [--base-path /deepaas] ...

It builds the app with ``seascope.app.create_app``, as ``seascope serve`` does.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from seascope.app import ServerOptions, create_app
from seascope.catalog import Catalog
from seascope.inference import ModuleHost
from seascope.modules import ModuleRegistry
from seascope.training import JobManager


def build_app(args: argparse.Namespace) -> FastAPI:
    """The app under test: exactly what ``seascope serve`` builds."""
    home = Path(args.home)
    home.mkdir(parents=True, exist_ok=True)
    host = ModuleHost(ModuleRegistry.from_entry_points().only(["reference"]))
    jobs = JobManager(database=home / "jobs.sqlite", jobs_dir=home / "jobs")
    options = ServerOptions(
        base_path=args.base_path,
        predict_endpoint=not args.no_predict,
        train_endpoint=not args.no_train,
        doc_endpoint=not args.no_doc,
        debug_endpoint=args.debug_endpoint,
        deepaas_models=tuple(args.model),
    )
    catalog = Catalog.open(registry=host.registry, folder=home / "catalog")
    return create_app(host=host, jobs=jobs, options=options, catalog=catalog)


def main() -> None:
    """Parse the options and serve until killed."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--home", required=True)
    parser.add_argument("--base-path", default="")
    parser.add_argument("--model", action="append", default=[])
    parser.add_argument("--no-predict", action="store_true")
    parser.add_argument("--no-train", action="store_true")
    parser.add_argument("--no-doc", action="store_true")
    parser.add_argument("--debug-endpoint", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    uvicorn.run(build_app(args), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
