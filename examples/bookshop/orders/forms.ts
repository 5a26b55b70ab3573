/** The cart's and the checkout's forms. */
import { modelForm, BaseFormSet, defineForm, HiddenInput, IntegerField, ModelChoiceField, ValidationError } from 'nuages/forms';
import { Address } from '../accounts/models.ts';
import { Product } from '../catalog/models.ts';

const MAX_QUANTITY = 99;

function quantityField(): IntegerField {
  return new IntegerField({ minValue: 1, maxValue: MAX_QUANTITY, initial: 1 });
}

/** "Add to cart" on a product page: which product (it must exist) and how many. */
export class AddToCartForm extends defineForm({
  product: new ModelChoiceField({ queryset: Product.objects.all(), widget: new HiddenInput() }),
  quantity: quantityField(),
}) {}

/** One cart line: the product id (hidden, checked against the cart) and its quantity. */
export class CartLineForm extends defineForm({
  product: new IntegerField({ widget: new HiddenInput() }),
  quantity: quantityField(),
}) {}

/**
 * The cart's lines, on the cart page (change quantities, tick "Delete") and at checkout.
 * Before validating, the view sets `cart` to the product ids the session's cart holds: a
 * line naming any other product, or the same product twice, is refused (a forged POST).
 * There is no price field: prices are read from the database when the order is saved.
 */
export class CartLineFormSet extends BaseFormSet<CartLineForm> {
  static override form = CartLineForm;
  static override extra = 0;
  static override canDelete = true;
  static override maxNum = 100;
  static override validateMax = true;

  /** The product ids the line may name. */
  cart: ReadonlySet<number> = new Set();

  override clean(): void {
    const seen = new Set<number>();
    for (const form of this.forms) {
      // Deleted lines are checked too: a forged one must not pass by being ticked.
      const product = (form.cleanedData as { product?: number | null }).product;
      if (product === null || product === undefined) continue;
      if (!this.cart.has(product)) {
        throw new ValidationError('A line names a product that is not in your cart. Reload the cart and try again.', { code: 'not_in_cart' });
      }
      if (seen.has(product)) throw new ValidationError('A product appears twice. Reload the cart and try again.', { code: 'duplicate' });
      seen.add(product);
    }
  }

  /** Quantity by product id of the lines kept (valid formset only). */
  keptLines(): Map<number, number> {
    const lines = new Map<number, number>();
    for (const form of this.forms) {
      if (this.deletedForms.includes(form)) continue;
      lines.set(form.cleanedData.product as number, form.cleanedData.quantity as number);
    }
    return lines;
  }
}

/** Where the order goes: saved as the user's Address in the checkout's transaction. */
export const AddressForm = modelForm(Address, { fields: ['city', 'country'] });
