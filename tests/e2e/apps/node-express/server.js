// A small Express service: the e2e suite asks it for / and /health.
const express = require("express");
const { quotes } = require("./quotes");

const app = express();

app.get("/", (req, res) => {
  res.json({ service: "quotes", count: quotes.length, env: process.env.NODE_ENV });
});

app.get("/health", (req, res) => {
  res.type("text").send("ok\n");
});

app.listen(3000, "0.0.0.0", () => console.log("listening on 3000"));
