// Peer SCIM 2.0 server for scimdoctor's conformance tests: SCIMMY with
// scimmy-routers on express, in-memory Users and Groups, written only against
// the packages' public API.
//
// Usage: node server.js TOKEN [PORT]
//
// It listens on 127.0.0.1 (PORT 0 or absent picks a free port), prints
// "listening on http://127.0.0.1:PORT" on stdout once it accepts connections,
// and serves the SCIM base URL at /scim/v2. Every request must carry
// "Authorization: Bearer TOKEN".
import crypto from "node:crypto";
import express from "express";
import SCIMMY from "scimmy";
import SCIMMYRouters from "scimmy-routers";

const [token, port = "0"] = process.argv.slice(2);
if (!token) {
    console.error("scimmy: error: the bearer token is required as the first argument");
    process.exit(2);
}

// One in-memory table per resource type, in creation order. unique names the
// attribute compared without regard to case to reject duplicates with 409.
function declare(resource, unique) {
    const rows = new Map();

    resource.ingress((res, instance) => {
        const wanted = String(instance[unique] ?? "").toLowerCase();
        for (const [id, row] of rows) {
            if (id !== res.id && String(row[unique] ?? "").toLowerCase() === wanted) {
                throw new SCIMMY.Types.Error(409, "uniqueness", `${unique} "${instance[unique]}" is already in use`);
            }
        }
        const now = new Date();
        if (res.id) {
            const old = rows.get(res.id);
            if (!old) throw new SCIMMY.Types.Error(404, null, `Resource ${res.id} not found`);
            const row = {...instance, id: res.id, meta: {created: old.meta.created, lastModified: now}};
            rows.set(res.id, row);
            return row;
        }
        const id = crypto.randomUUID();
        const row = {...instance, id, meta: {created: now, lastModified: now}};
        rows.set(id, row);
        return row;
    });

    resource.egress((res) => {
        if (res.id) {
            const row = rows.get(res.id);
            if (!row) throw new SCIMMY.Types.Error(404, null, `Resource ${res.id} not found`);
            return row;
        }
        const all = [...rows.values()];
        return res.filter ? res.filter.match(all) : all;
    });

    resource.degress((res) => {
        if (!rows.delete(res.id)) throw new SCIMMY.Types.Error(404, null, `Resource ${res.id} not found`);
    });
}

SCIMMY.Resources.declare(SCIMMY.Resources.User);
SCIMMY.Resources.declare(SCIMMY.Resources.Group);
declare(SCIMMY.Resources.User, "userName");
declare(SCIMMY.Resources.Group, "displayName");

const app = express();
app.use("/scim/v2", new SCIMMYRouters({
    type: "bearer",
    docUri: "https://scimdoctor.invalid/peers",
    handler: (request) => {
        if (request.header("Authorization") !== `Bearer ${token}`) {
            throw new Error("missing or invalid bearer token");
        }
        return "scimdoctor";
    },
}));

const server = app.listen(Number(port), "127.0.0.1", () => {
    console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
