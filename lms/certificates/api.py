"""Certificate endpoints, bulk batches, and public verification."""

import io
import zipfile

from flask import Response, render_template, request, send_file
from flask.views import MethodView

from lms.auth.models import ADMIN, LEARNER
from lms.auth.permissions import auth_required, current_actor
from lms.certificates import batch as batches
from lms.certificates import service, verification
from lms.certificates.schemas import (
    BatchCreateSchema,
    BatchSchema,
    CertificateQueryArgsSchema,
    CertificateSchema,
    FileVerificationSchema,
    RevokeSchema,
    UploadSchema,
    VerificationSchema,
)
from lms.dates import JST, reiwa_date
from lms.errors import Invalid, NotFound
from lms.http import PAGE_HEADERS, Blueprint, paged

blp = Blueprint("certificates", __name__, description="Certificates and bulk issue")
verify_blp = Blueprint("verify", __name__, description="Public certificate verification",
                       template_folder="templates")

PDF = {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}


@blp.route("/enrollments/<id:enrollment_id>/certificate")
class EnrollmentCertificate(MethodView):
    @auth_required(ADMIN)
    @blp.response(200, CertificateSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, enrollment_id):
        """Issue the certificate of a completed enrolment (idempotent)."""
        return service.issue(current_actor(), enrollment_id)


@blp.route("/certificates")
class Certificates(MethodView):
    @auth_required(ADMIN, LEARNER)
    @blp.arguments(CertificateQueryArgsSchema, location="query")
    @blp.response(200, CertificateSchema(many=True), headers=PAGE_HEADERS)
    def get(self, args):
        """List certificates (learners: their own)."""
        items, total = service.list_certificates(current_actor(), **args)
        return paged(items, total, args)


@blp.route("/certificates/<id:certificate_id>")
class CertificateById(MethodView):
    @auth_required(ADMIN, LEARNER)
    @blp.response(200, CertificateSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, certificate_id):
        """Get a certificate."""
        return service.visible_certificate(current_actor(), certificate_id)


@blp.route("/certificates/<id:certificate_id>/pdf")
class CertificatePdf(MethodView):
    @auth_required(ADMIN, LEARNER)
    @blp.doc(responses={"200": {"description": "The PDF", **PDF}})
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def get(self, certificate_id):
        """Download the certificate's PDF (the holder or an admin)."""
        certificate, path = service.read_pdf(current_actor(), certificate_id)
        return send_file(path, mimetype="application/pdf", as_attachment=True,
                         download_name=f"{certificate.certificate_number}.pdf")


@blp.route("/certificates/<id:certificate_id>/revoke")
class Revocation(MethodView):
    @auth_required(ADMIN)
    @blp.arguments(RevokeSchema)
    @blp.response(200, CertificateSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, fields, certificate_id):
        """Revoke a certificate; verification then shows it revoked with the date and reason."""
        return service.revoke(current_actor(), certificate_id, fields["reason"])


@blp.route("/certificates/<id:certificate_id>/reissue")
class Reissue(MethodView):
    @auth_required(ADMIN)
    @blp.response(201, CertificateSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, certificate_id):
        """Reissue with the same number (e.g. after a name change); the old PDF becomes superseded."""
        return service.reissue(current_actor(), certificate_id)


@blp.route("/certificate-batches")
class Batches(MethodView):
    @auth_required(ADMIN)
    @blp.arguments(BatchCreateSchema)
    @blp.response(202, BatchSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, fields):
        """Queue certificates for a programme's completed enrolments of a fiscal year."""
        return batches.create_batch(current_actor(), **fields)


@blp.route("/certificate-batches/<id:batch_id>")
class BatchById(MethodView):
    @auth_required(ADMIN)
    @blp.response(200, BatchSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, batch_id):
        """Progress of a batch: total, done, failed."""
        return batches.get_batch(batch_id)


@blp.route("/certificate-batches/<id:batch_id>/zip")
class BatchZip(MethodView):
    @auth_required(ADMIN)
    @blp.doc(responses={"200": {"description": "ZIP of the issued PDFs", "content": {
        "application/zip": {"schema": {"type": "string", "format": "binary"}}}}})
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, batch_id):
        """Download the batch's issued certificates as one ZIP."""
        batch = batches.get_batch(batch_id)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
            for name, path in batches.batch_files(batch):
                archive.write(path, name)
        buffer.seek(0)
        return send_file(buffer, mimetype="application/zip", as_attachment=True,
                         download_name=f"certificates-{batch.program_code}-{batch.fiscal_year}.zip")


def _wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def _page(result: dict | None, code: str, status: int) -> Response:
    def ja(value):
        return reiwa_date(value.astimezone(JST).date()) if value else None

    html = render_template("verify.html", result=result, code=code,
                           completed_on_ja=reiwa_date(result["completed_on"]) if result else None,
                           issued_on_ja=ja(result and result["issued_at"]),
                           revoked_on_ja=ja(result and result["revoked_at"]),
                           superseded_on_ja=ja(result and result["superseded_at"]))
    return Response(html, status=status, mimetype="text/html")


@verify_blp.route("/verify/<code>")
class VerifyByCode(MethodView):
    @verify_blp.doc(responses={
        "200": {"description": "The certificate's status", "content": {
            "application/json": {"schema": VerificationSchema}, "text/html": {"schema": {"type": "string"}}}},
        "404": {"description": "Unknown code: a page for browsers, problem+json otherwise", "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}},
            "text/html": {"schema": {"type": "string"}}}},
    })
    @verify_blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def get(self, code):
        """Verify a certificate by its code: an HTML page for browsers, JSON for `Accept: application/json`."""
        verification.limit(request.remote_addr)
        try:
            result = verification.by_code(code)
        except NotFound:
            if _wants_json():
                raise
            return _page(None, code, 404)
        if _wants_json():
            return VerificationSchema().dump(result)
        return _page(result, code, 200)


@verify_blp.route("/verify")
class VerifyByFile(MethodView):
    @verify_blp.arguments(UploadSchema, location="files")
    @verify_blp.response(200, FileVerificationSchema)
    @verify_blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, files):
        """Check whether an uploaded PDF is byte-for-byte a certificate that was issued."""
        verification.limit(request.remote_addr)
        if request.form:
            raise Invalid(errors={"form": {name: ["unknown field"] for name in request.form}})
        upload = files["file"]
        if not hasattr(upload, "read"):
            raise Invalid(errors={"files": {"file": ["a PDF file is required"]}})
        return verification.by_file(upload.read())
