#!/usr/bin/env python3
# A stand-in for the kube-apiserver's version endpoint, as kubeprep asks it (system/apiserver.c):
# HTTPS on 192.0.2.1:6443 with the given certificate, GET /version answers the JSON in ANSWER
# (the shape of k8s.io/apimachinery's version.Info), any other path 404. Prints "listening" once
# it accepts connections.
#   test-apiserver.py CERT KEY ANSWER
import http.server
import ssl
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/version":
            self.send_error(404)
            return
        body = open(sys.argv[3], "rb").read()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("192.0.2.1", 6443), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(sys.argv[1], sys.argv[2])
server.socket = context.wrap_socket(server.socket, server_side=True)
print("listening", flush=True)
server.serve_forever()
