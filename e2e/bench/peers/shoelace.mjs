// Shoelace's details and tag, cherry-picked as Shoelace documents.
import '@shoelace-style/shoelace/dist/components/details/details.js'
import '@shoelace-style/shoelace/dist/components/tag/tag.js'
