import streamlit as st

from api_reference import PUBLIC_MODULES, entries, module_doc
from components import entry_body
from i18n import t

st.title(t("api_title"))
st.write(t("api_intro"))

query = st.text_input(t("api_filter"), key="api_filter", placeholder=t("api_placeholder"))


def matches(item: dict, text: str) -> bool:
    return text in item["name"].lower() or text in item["doc"].lower()


def alias_target(alias: dict, module_name: str) -> str:
    """The entry an alias names: a link when that entry is on this page."""
    if alias["alias_of"].rpartition(".")[0] == module_name:
        return f"[`{alias['alias_of']}`](#{alias['target_anchor']})"
    return f"`{alias['alias_of']}`"


if query:
    found = [
        (m, e)
        for m in PUBLIC_MODULES
        for e in entries(m)
        if not e["alias_of"] and matches(e, query.lower())
    ]
    st.caption(t("api_found", count=len(found), query=query))
    for module_name, item in found:
        st.subheader(f"{module_name}.{item['name']}", anchor=item["anchor"])
        entry_body(item)
else:
    module_name = st.selectbox(
        t("api_module"), PUBLIC_MODULES, key="api_module", bind="query-params"
    )
    items = entries(module_name)
    own = [e for e in items if not e["alias_of"]]
    aliases = [e for e in items if e["alias_of"]]
    st.markdown(module_doc(module_name))
    st.markdown(f"**{t('api_contents')}**")
    columns = st.columns(4)
    for i, item in enumerate(own):
        columns[i % 4].markdown(f"[`{item['name']}`](#{item['anchor']})")
    if aliases:
        st.markdown(f"**{t('aliases')}**")
        st.markdown(
            "\n".join(
                f"- `{a['name']}` — {t('api_alias_of')} {alias_target(a, module_name)}"
                for a in aliases
            )
        )
    for item in own:
        st.divider()
        st.subheader(item["name"], anchor=item["anchor"])
        entry_body(item)
