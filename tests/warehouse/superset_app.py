"""The tests' Superset, run by the Superset environment's interpreter (never imported by pytest).

    python superset_app.py prepare            metadata: migrations, roles, an admin user
    python superset_app.py check BUNDLE       import BUNDLE, render every chart, describe
                                              every dataset, try SQL Lab; JSON on stdout
    python superset_app.py share              let the public role read every dataset
                                              (with DXWH_SUPERSET_PUBLIC=1: screenshots)
    python superset_app.py serve PORT         serve the web app on 127.0.0.1:PORT

``SUPERSET_CONFIG_PATH`` points at ``superset_config.py`` beside this file and
``DXWH_SUPERSET_METADATA`` at the SQLite metadata file.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

ADMIN = {"username": "admin", "password": "admin", "provider": "db", "refresh": False}
HOSTILE_SQL = "select * from read_csv('/etc/hostname')"


def _app() -> Any:
    from superset.app import create_app

    return create_app()


def prepare() -> dict[str, Any]:
    app = _app()
    with app.app_context():
        import superset
        from flask_migrate import upgrade
        from superset import security_manager

        upgrade(directory=str(Path(superset.__file__).parent / "migrations"))
        app.appbuilder.add_permissions(update_perms=True)  # what `superset init` does
        security_manager.sync_role_definitions()
        security_manager.add_user(
            "admin",
            "Quản trị",
            "dxwh",
            "admin@example.org",
            security_manager.find_role("Admin"),
            password=ADMIN["password"],
        )
    return {"prepared": True}


def check(bundle: str) -> dict[str, Any]:
    client = _app().test_client()
    login = client.post("/api/v1/security/login", json=ADMIN)
    headers = {"Authorization": f"Bearer {login.json['access_token']}"}
    with open(bundle, "rb") as file:
        imported = client.post(
            "/api/v1/dashboard/import/",
            headers=headers,
            data={"formData": (file, Path(bundle).name), "overwrite": "true"},
            content_type="multipart/form-data",
        )
    result: dict[str, Any] = {"import": [imported.status_code, imported.json]}

    charts = client.get("/api/v1/chart/?q=(page_size:100)", headers=headers).json["result"]
    result["charts"] = {}
    for chart in charts:
        data = client.get(f"/api/v1/chart/{chart['id']}/data/", headers=headers)
        body = data.json or {}
        first = (body.get("result") or [{}])[0]
        saved = client.get(f"/api/v1/chart/{chart['id']}", headers=headers).json["result"]
        result["charts"][chart["slice_name"]] = {
            "id": chart["id"],
            "status": data.status_code,
            "colnames": first.get("colnames"),
            "data": first.get("data"),
            "error": body.get("message"),
            "params": json.loads(saved.get("params") or "{}"),
        }

    datasets = client.get("/api/v1/dataset/?q=(page_size:100)", headers=headers).json["result"]
    result["datasets"] = {}
    for dataset in datasets:
        found = client.get(f"/api/v1/dataset/{dataset['id']}", headers=headers).json["result"]
        result["datasets"][f"{found['schema']}.{found['table_name']}"] = {
            "description": found["description"],
            "columns": {
                c["column_name"]: {
                    "verbose_name": c["verbose_name"],
                    "description": c["description"],
                }
                for c in found["columns"]
            },
            "metrics": {m["metric_name"]: m["expression"] for m in found["metrics"]},
        }

    dashboards = client.get("/api/v1/dashboard/?q=(page_size:100)", headers=headers).json
    result["dashboards"] = [d["dashboard_title"] for d in dashboards["result"]]
    result["filters"] = []
    for dashboard in dashboards["result"]:
        found = client.get(f"/api/v1/dashboard/{dashboard['id']}", headers=headers).json
        metadata = json.loads(found["result"].get("json_metadata") or "{}")
        result["filters"] += metadata.get("native_filter_configuration") or []

    databases = client.get("/api/v1/database/?q=(page_size:100)", headers=headers).json
    database_id = databases["result"][0]["id"]
    result["sqllab"] = {}
    for name, sql in (
        ("hostile", HOSTILE_SQL),
        ("count", "select count(*) as n from marts.dim_unit"),
    ):
        executed = client.post(
            "/api/v1/sqllab/execute/",
            headers=headers,
            json={"database_id": database_id, "sql": sql, "runAsync": False, "schema": "marts"},
        )
        result["sqllab"][name] = {"status": executed.status_code, "body": executed.json}
    return result


def share() -> dict[str, Any]:
    """Give the public role (Gamma-like, see superset_config.py) read access to every dataset,
    so that a headless browser draws the dashboard without logging in."""
    app = _app()
    with app.app_context():
        from superset import db, security_manager

        security_manager.sync_role_definitions()
        public = security_manager.find_role("Public")
        for name in ("all_datasource_access", "all_database_access"):
            permission = security_manager.find_permission_view_menu(name, name)
            security_manager.add_permission_role(public, permission)
        db.session.commit()
    return {"shared": True}


def serve(port: int) -> None:
    _app().run(host="127.0.0.1", port=port, use_reloader=False, threaded=True)


def main(argv: list[str]) -> int:
    command, *args = argv
    if command == "serve":
        serve(int(args[0]))
        return 0
    if command == "share":
        result = share()
    else:
        result = prepare() if command == "prepare" else check(args[0])
    sys.stdout.write("\nDXWH-RESULT " + json.dumps(result, ensure_ascii=False, default=str) + "\n")
    return 0


if __name__ == "__main__":
    os.environ.setdefault(
        "SUPERSET_CONFIG_PATH", str(Path(__file__).with_name("superset_config.py"))
    )
    sys.exit(main(sys.argv[1:]))
