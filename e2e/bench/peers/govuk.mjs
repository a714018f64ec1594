// GOV.UK Frontend with the MOJ sortable table: the script a GOV.UK service
// ships for a sortable table (GOV.UK's details and tag need no script).
import { createAll } from 'govuk-frontend'
import { SortableTable } from '@ministryofjustice/frontend'

createAll(SortableTable)
