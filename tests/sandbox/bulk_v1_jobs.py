"""Bulk API 1.0 CSV jobs driven over HTTPS, as Data Loader and jsforce drive them."""

from __future__ import annotations

from xml.etree import ElementTree

import requests

from forcebridge.sandbox.server import SandboxServer

NS = {"sf": "http://www.force.com/2009/06/asyncapi/dataload"}


class CsvJobs:
    """Bulk API 1.0 CSV jobs as Data Loader and jsforce drive them: XML job infos, CSV data."""

    def __init__(self, sandbox: SandboxServer, http: requests.Session) -> None:
        self.url = f"{sandbox.base_url}/services/async/62.0/job"
        self.http = http
        self.session = {"X-SFDC-Session": sandbox.access_token()}

    def create(self, operation: str, sobject: str, extra: str = "") -> ElementTree.Element:
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<jobInfo xmlns="{NS["sf"]}"><operation>{operation}</operation>'
            f"<object>{sobject}</object>{extra}<contentType>CSV</contentType></jobInfo>"
        )
        return self.xml(self.http.post(self.url, data=body, headers=self.xml_headers()))

    def batch(self, job: ElementTree.Element, data: str) -> ElementTree.Element:
        """Add a batch; its info once carried out (the answer to adding it says Queued)."""
        url = f"{self.url}/{text_of(job, 'id')}/batch"
        headers = self.session | {"Content-Type": "text/csv"}
        queued = self.xml(self.http.post(url, data=data.encode(), headers=headers))
        assert text_of(queued, "state") == "Queued"
        return self.xml(self.get(f"{text_of(job, 'id')}/batch/{text_of(queued, 'id')}"))

    def get(self, path: str) -> requests.Response:
        response = self.http.get(f"{self.url}/{path}", headers=self.session)
        assert response.status_code == 200, response.text
        return response

    def xml_headers(self) -> dict[str, str]:
        return self.session | {"Content-Type": "application/xml; charset=UTF-8"}

    @staticmethod
    def xml(response: requests.Response) -> ElementTree.Element:
        assert response.headers["content-type"].startswith("application/xml"), response.text
        return ElementTree.fromstring(response.content)


def text_of(element: ElementTree.Element, name: str) -> str:
    return element.findtext(f"sf:{name}", namespaces=NS) or ""
