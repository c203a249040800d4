import streamlit as st

from api_reference import PUBLIC_MODULES, entries

st.title("API reference")
st.write(
    "Generated from nyangtorch's own docstrings and signatures, so it cannot drift from the code."
)
query = st.text_input("filter", key="api_filter", placeholder="e.g. Conv, loader, save")
for module in PUBLIC_MODULES:
    items = [
        e
        for e in entries(module)
        if e["kind"] != "constant"
        and (not query or query.lower() in (e["name"] + e["doc"]).lower())
    ]
    if not items:
        continue
    st.header(f"`{module}`")
    for item in items:
        st.markdown(f"#### `{item['name']}{item['signature']}`")
        st.caption(f"{item['kind']} — defined in `{item['module']}`")
        st.text(item["doc"])
