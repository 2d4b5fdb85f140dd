"""A small Flask service: the e2e suite asks it for / and /items/2."""
import os

from flask import Flask, jsonify

from inventory import ITEMS

app = Flask(__name__)


@app.get("/")
def index():
    return jsonify(greeting=os.environ.get("GREETING", "?"), items=len(ITEMS))


@app.get("/items/<int:item_id>")
def item(item_id):
    if 0 <= item_id < len(ITEMS):
        return jsonify(ITEMS[item_id])
    return jsonify(error="no such item"), 404


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
